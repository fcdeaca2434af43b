/*
 * Custom search attribute names the server reserves (sadefs.IsReserved of 1.32: compared exactly), the
 * same names in another case (which the server accepts beside the system ones), and the SQL
 * visibility schema's pre-allocated columns (sadefs.IsPreallocatedCSAFieldName, in any case).
 */
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { cluster, testChart } from './support/synth';
import { SearchAttributeType } from '../lib';

const attrs = (name: string) => () => cluster(testChart(), { namespaces: [{ name: 'orders', retention: Duration.days(1), searchAttributes: [{ name, type: SearchAttributeType.KEYWORD }] }] });

/** sadefs: the system and predefined attributes that do not start with Temporal, and the reserved field names. */
const SERVER_RESERVED = ['WorkflowId', 'RunId', 'WorkflowType', 'StartTime', 'ExecutionTime', 'CloseTime', 'ExecutionStatus', 'TaskQueue', 'HistoryLength',
  'ExecutionDuration', 'StateTransitionCount', 'HistorySizeBytes', 'ParentWorkflowId', 'ParentRunId', 'RootWorkflowId', 'RootRunId',
  'BinaryChecksums', 'BuildIds', 'BatcherNamespace', 'BatcherUser', 'NamespaceId', 'Memo', 'MemoEncoding', 'VisibilityTaskKey'];

/** The name with the case of the letters the flags pick changed. */
const recase = (name: string, flags: boolean[]) => [...name].map((c, i) => (flags[i % flags.length] ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('');

describe('search attribute names', () => {
  test('fails when a name the server reserves is given as the server spells it: the server\'s own refusal', () => {
    for (const name of [...SERVER_RESERVED, 'TemporalChangeVersion', 'TemporalScheduledById', 'Temporal', 'TemporalX']) {
      expect(attrs(name)).toThrow(`searchAttributes[0].name is "${name}"; expected a name the server does not reserve (not a system attribute, not starting with "Temporal"). The server refuses it`);
    }
  });

  test('fails when a reserved name, or the Temporal prefix, is spelt in another case: the server would add it beside the system one', () => {
    fc.assert(fc.property(fc.constantFrom(...SERVER_RESERVED), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (name, flags) => {
      const other = recase(name, flags);
      fc.pre(other !== name);
      expect(attrs(other)).toThrow(`searchAttributes[0].name is "${other}"; expected a name the server does not reserve in any case (it differs from ${name} only in case). A rule of this library`);
    }), { numRuns: 60 });
    fc.assert(fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.stringMatching(/^[A-Za-z0-9_]{0,8}$/), (flags, rest) => {
      const prefix = recase('Temporal', flags);
      fc.pre(prefix !== 'Temporal');
      expect(attrs(`${prefix}${rest}`)).toThrow(/expected a name the server does not reserve in any case \(it differs from Temporal\.\.\. only in case\)/);
    }), { numRuns: 60 });
  });

  test('fails when a name is a pre-allocated column of the SQL visibility schema, in any case', () => {
    const types = ['Bool', 'Datetime', 'Double', 'Int', 'Keyword', 'KeywordList', 'Text'];
    fc.assert(fc.property(fc.constantFrom(...types), fc.integer({ min: 1, max: 99 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), (type, n, flags) => {
      const name = recase(`${type}${String(n).padStart(2, '0')}`, flags);
      expect(attrs(name)).toThrow(`searchAttributes[0].name is "${name}"; expected a name other than a column of the SQL visibility schema`);
    }), { numRuns: 80 });
  });

  test('names near those rules are accepted', () => {
    // The snake_case columns are never an alias's target, and the server reads no query name as one.
    for (const name of ['status', 'encoding', 'search_attributes', 'close_time', 'workflow_id', 'Keyword00', 'Keyword100', 'Int1', 'KeywordListing01', 'MyWorkflowId', 'Tempora', 'Tempo', 'CustomerId']) {
      expect(attrs(name)).not.toThrow();
    }
  });
});
