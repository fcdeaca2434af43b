import { App, Chart, Duration, Testing } from 'cdk8s';
import { Datastore, Persistence, SecretRef, TemporalCluster, WorkerFleet } from '../lib';

/**
 * An app whose cdk8s is another copy than the library's (npm nests a second one under the library
 * for a cdk8s outside its peer range; npm link and workspaces bring the library folder's own; a
 * test that resets the module registry loads one twice). cdk8s resolves the library's Lazy values
 * only with the copy it came from, so such an app failed at synth with cdk8s's "can't render
 * non-simple object of type 'Lazy'", and a Duration of the app's copy was refused as "not a cdk8s
 * Duration". Both are refused where they are given, naming the two copies and what to do.
 */
describe('an app with a second copy of cdk8s', () => {
  // A second copy of the same files: what jest.resetModules gives a test, and a nested install gives an app.
  let other: typeof import('cdk8s');
  jest.isolateModules(() => {
    other = require('cdk8s');
  });

  const password = SecretRef.of('db', 'password');
  const store = (database: string, extra: Partial<Parameters<typeof Datastore.postgres>[0]> = {}) =>
    Datastore.postgres({ host: 'pg', database, user: 'temporal', password, ...extra });
  const persistence = (scope: Chart) => new Persistence(scope, 'p', { defaultStore: store('temporal'), visibilityStore: store('visibility') });

  test('the copies are different classes, and cdk8s still knows a Chart of either', () => {
    expect(other.App).not.toBe(App);
    expect(Chart.isChart(new other.Chart(new other.App(), 'c'))).toBe(true);
  });

  test('a TemporalCluster in an App and Chart of the other copy is refused, naming both copies and the remedy', () => {
    const chart = new other.Chart(new other.App(), 'temporal', { namespace: 'temporal' }) as unknown as Chart;
    const stores = persistence(chart);
    expect(() => new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence: stores }))
      .toThrow(/^TemporalCluster 'temporal' is created in an App of (another copy of cdk8s|cdk8s 2\.\d+\.\d+ in \S+), while cdk8s-temporal uses cdk8s 2\.\d+\.\d+ in \S+: the app loads two copies of cdk8s\..*`npm ls cdk8s` lists the copies.*npm dedupe.*npm link.*install cdk8s-temporal from its tarball/s);
    // Under jest, Node's module cache does not tell where the app's copy is; the likely cause in a test is named.
    expect(() => new TemporalCluster(chart, 'again', { numHistoryShards: 32, persistence: stores }))
      .toThrow(/In a test, resetting the module registry \(jest\.resetModules, jest\.isolateModules\) between importing cdk8s and cdk8s-temporal loads cdk8s twice\./);
  });

  test('a chart of the other copy in an App of the library\'s is refused too, by name', () => {
    const chart = new other.Chart(new App() as never, 'team-a') as unknown as Chart;
    expect(() => new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence: persistence(chart) }))
      .toThrow(/^TemporalCluster 'temporal' is created in the chart 'team-a', a Chart of .* the app loads two copies of cdk8s/);
  });

  test('a WorkerFleet in a chart of the other copy is refused the same way', () => {
    const own = new Chart(new App(), 'temporal', { namespace: 'temporal' });
    const cluster = new TemporalCluster(own, 'temporal', { numHistoryShards: 32, persistence: persistence(own) });
    const chart = new other.Chart(new other.App(), 'workers') as unknown as Chart;
    expect(() => new WorkerFleet(chart, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], cluster }))
      .toThrow(/^WorkerFleet 'orders' is created in an App of .* the app loads two copies of cdk8s/);
  });

  test('a Duration of the other copy is refused as such, not as "not a Duration"', () => {
    const lifetime = other.Duration.minutes(5) as unknown as Duration;
    expect(() => store('temporal', { pool: { maxConnLifetime: lifetime } }))
      .toThrow(/pool\.maxConnLifetime is a Duration of .*, while cdk8s-temporal uses .*: the app loads two copies of cdk8s/);
  });

  test('one copy: charts of subclasses, Testing apps and the library\'s own Durations pass', () => {
    class TeamChart extends Chart {}
    const chart = new TeamChart(Testing.app(), 'team', { namespace: 'temporal' });
    new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence: persistence(chart) });
    expect(() => store('temporal', { pool: { maxConnLifetime: Duration.minutes(5) } })).not.toThrow();
    expect(() => store('temporal', { pool: { maxConnLifetime: { toMilliseconds: () => 1 } as never } })).toThrow(/expected a cdk8s Duration, such as Duration\.seconds\(30\)/);
  });
});
