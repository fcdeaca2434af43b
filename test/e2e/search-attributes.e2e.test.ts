/*
 * Search attributes as code, run for real on PostgreSQL visibility: the namespace Job creates the
 * namespace and one custom search attribute of every type; the server lists them with those types
 * and answers a visibility query on one of them. Run again, the Job finds them all and creates
 * nothing; an attribute added by hand is named and kept. When an attribute the app declares has
 * another type on the server, the Job fails with both types before it creates anything, and the
 * attributes stay as they were. The server refuses the names it reserves, and takes them in another
 * case and the SQL schema's column names, which the library refuses as rules of its own.
 */
import { Connection, Client } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType as SdkType } from '@temporalio/common';
import { Duration } from 'cdk8s';
import { E2eEnvironment, MINUTE } from './harness';
import { RunnerError } from './runner';
import { greetAfterTimer } from './workflows';
import { SearchAttribute, SearchAttributeType } from '../../lib';
import { pollUntil } from '../support/processes';

const env = E2eEnvironment.setUp();
const NAMESPACE = 'e2e-attributes';
const ATTRIBUTES: SearchAttribute[] = [
  { name: 'CustomerId', type: SearchAttributeType.KEYWORD },
  { name: 'Notes', type: SearchAttributeType.TEXT },
  { name: 'Quantity', type: SearchAttributeType.INT },
  { name: 'OrderTotal', type: SearchAttributeType.DOUBLE },
  { name: 'Shipped', type: SearchAttributeType.BOOL },
  { name: 'PlacedAt', type: SearchAttributeType.DATETIME },
  { name: 'Tags', type: SearchAttributeType.KEYWORD_LIST },
];
/** How the server names each type in ListSearchAttributes (temporal.api.enums.v1.IndexedValueType). */
const SERVER_TYPE: Record<SearchAttributeType, number> = {
  [SearchAttributeType.TEXT]: 1, [SearchAttributeType.KEYWORD]: 2, [SearchAttributeType.INT]: 3, [SearchAttributeType.DOUBLE]: 4,
  [SearchAttributeType.BOOL]: 5, [SearchAttributeType.DATETIME]: 6, [SearchAttributeType.KEYWORD_LIST]: 7,
};

describe('search attributes as code', () => {
  it('creates each declared attribute with its type, is idempotent, keeps what it does not declare, and fails on a type clash', async () => {
    const runner = await env.up('attributes', { namespaces: [{ name: NAMESPACE, retention: Duration.days(1), searchAttributes: ATTRIBUTES }] });
    const connection = await Connection.connect({ address: runner.endpoint('frontend').grpc });
    try {
      const [job] = runner.namespaceJobNames;
      const first = runner.containerLog(job, 'create-namespaces');
      console.log(`e2e: ${job} (first run):\n${first.trim()}`);
      expect(first).toContain(`namespace ${NAMESPACE} created`);
      for (const a of ATTRIBUTES) expect(first).toContain(`search attribute ${a.name} (${a.type}) of namespace ${NAMESPACE} created`);

      const custom = async () => Object.fromEntries(Object.entries((await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE })).customAttributes ?? {}).map(([k, v]) => [k, Number(v)]));
      expect(await custom()).toEqual(Object.fromEntries(ATTRIBUTES.map((a) => [a.name, SERVER_TYPE[a.type]])));

      // The attributes work: a workflow started with them is found by a query on one.
      const client = new Client({ connection, namespace: NAMESPACE });
      const workflowId = `attributes-${Date.now()}`;
      // The frontends learn a new attribute's mapping when their namespace cache refreshes, a few seconds after the Job.
      await pollUntil('a workflow start to accept the new attributes', MINUTE, async () => {
        try {
          await client.workflow.start(greetAfterTimer, {
            taskQueue: 'e2e-attributes', workflowId, args: ['attributes', 1],
            typedSearchAttributes: [{ key: defineSearchAttributeKey('CustomerId', SdkType.KEYWORD), value: 'c-42' }, { key: defineSearchAttributeKey('Quantity', SdkType.INT), value: 3 }],
          });
          return true;
        } catch (err) {
          const cause = String((err as { cause?: Error }).cause?.message ?? err);
          if (!/has no mapping defined for search attribute/.test(cause)) throw err;
          console.log(`e2e: starting a workflow with the new attributes: ${cause}`);
          return undefined;
        }
      });
      const found = await pollUntil('the workflow to be found by its search attributes', MINUTE, async () => {
        const ids: string[] = [];
        for await (const w of client.workflow.list({ query: `CustomerId = 'c-42' AND Quantity > 2` })) ids.push(w.workflowId);
        return ids.length ? ids : undefined;
      });
      expect(found).toEqual([workflowId]);

      // Run again: nothing to do. An attribute added by hand is named and kept.
      await connection.operatorService.addSearchAttributes({ namespace: NAMESPACE, searchAttributes: { AddedByHand: SERVER_TYPE[SearchAttributeType.INT] } });
      await pollUntil('the hand-made attribute to be listed', MINUTE, async () => ((await custom()).AddedByHand ? true : undefined));
      const again = runner.containerLog(await runner.rerunJob(job), 'create-namespaces');
      console.log(`e2e: ${job} (run again):\n${again.trim()}`);
      expect(again).toContain(`namespace ${NAMESPACE} exists`);
      for (const a of ATTRIBUTES) expect(again).toContain(`search attribute ${a.name} (${a.type}) of namespace ${NAMESPACE} exists`);
      expect(again).not.toContain('created');
      expect(again).toContain(`search attribute AddedByHand of namespace ${NAMESPACE} is not declared by the app; it is kept (this Job never removes one)`);

      // A clash: Quantity becomes a Keyword on the server; the Job refuses and changes nothing.
      await connection.operatorService.removeSearchAttributes({ namespace: NAMESPACE, searchAttributes: ['Quantity'] });
      await connection.operatorService.addSearchAttributes({ namespace: NAMESPACE, searchAttributes: { Quantity: SERVER_TYPE[SearchAttributeType.KEYWORD] } });
      await pollUntil('Quantity to be a Keyword', MINUTE, async () => ((await custom()).Quantity === SERVER_TYPE[SearchAttributeType.KEYWORD] ? true : undefined));
      const before = await custom();
      const clash = await runner.rerunJob(job).then(() => undefined, (err: unknown) => err);
      expect(clash).toBeInstanceOf(RunnerError);
      expect((clash as RunnerError).logTail).toContain(
        `search attribute Quantity of namespace ${NAMESPACE} is INDEXED_VALUE_TYPE_KEYWORD on the server, but the app declares it Int; a search attribute never changes type`);
      expect(await custom()).toEqual(before);

      // The library's name rules against the server's own (test/search-attribute-names.test.ts): the names it
      // reserves, exactly spelt, are refused by the server too; in another case it takes them, beside the system
      // one, and a pre-allocated column's name is an alias of whichever column of its type was free.
      for (const name of ['WorkflowId', 'Memo', 'TemporalTag']) {
        const refused = await connection.operatorService.addSearchAttributes({ namespace: NAMESPACE, searchAttributes: { [name]: SERVER_TYPE[SearchAttributeType.KEYWORD] } })
          .then(() => undefined, (err: unknown) => err);
        expect(String((refused as Error | undefined)?.message)).toContain(`Search attribute ${name} is reserved by system.`);
      }
      await connection.operatorService.addSearchAttributes({ namespace: NAMESPACE, searchAttributes: { workflowId: SERVER_TYPE[SearchAttributeType.KEYWORD], Int01: SERVER_TYPE[SearchAttributeType.INT] } });
      await pollUntil('workflowId and Int01 to be listed', MINUTE, async () => {
        const listed = await custom();
        return listed.workflowId && listed.Int01 ? true : undefined;
      });
      const aliases = (await connection.workflowService.describeNamespace({ namespace: NAMESPACE })).config?.customSearchAttributeAliases ?? {};
      const column = Object.entries(aliases).find(([, alias]) => alias === 'Int01')?.[0];
      console.log(`e2e: the server took workflowId beside WorkflowId, and Int01 as an alias of column ${column}`);
      expect(column).toMatch(/^Int0[1-3]$/);
    } finally {
      await connection.close();
      await runner.down();
    }
  }, 15 * MINUTE);
});
