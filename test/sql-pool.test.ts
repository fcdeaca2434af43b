import * as fc from 'fast-check';
import { Datastore } from '../lib';

describe('SQL connection pool', () => {
  test('fails when maxIdleConns is 0: the server ignores it and database/sql keeps 2 idle connections', () => {
    for (const factory of [Datastore.postgres, Datastore.mysql]) {
      fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), (maxConns) => {
        expect(() => factory({ host: 'db', database: 'd', user: 'u', pool: { maxConns, maxIdleConns: 0 } }))
          .toThrow(/pool.maxIdleConns is 0; expected at least 1\. The server ignores 0 and keeps database\/sql's default of 2 idle connections/);
        expect(factory({ host: 'db', database: 'd', user: 'u', pool: { maxConns, maxIdleConns: 1 } })._sql!.maxIdleConns).toBe(1);
      }));
    }
    expect(() => Datastore.postgres({ host: 'db', database: 'd', user: 'u', pool: { maxIdleConns: -1 } })).toThrow(/pool.maxIdleConns is -1/);
  });

  test('fails when maxConns below 20 comes alone: the default maxIdleConns (20) was refused as above it; it follows maxConns', () => {
    for (const factory of [Datastore.postgres, Datastore.mysql]) {
      fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), (maxConns) => {
        expect(factory({ host: 'db', database: 'd', user: 'u', pool: { maxConns } })._sql).toMatchObject({ maxConns, maxIdleConns: Math.min(20, maxConns) });
      }));
      // One given above maxConns is still the user's mistake.
      expect(() => factory({ host: 'db', database: 'd', user: 'u', pool: { maxConns: 5, maxIdleConns: 6 } })).toThrow(/pool.maxIdleConns is 6; expected at most pool.maxConns \(5\)/);
    }
  });
});
