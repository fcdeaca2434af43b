/**
 * `operation` values of the v1.32.2 server's service_latency series, read from its source and
 * seen on a running server's /metrics (test/e2e/temporal.e2e.test.ts): the ones whose latency is
 * waiting by design, and plain calls whose latency is the server's own work.
 */
import { selectorMatchers } from './promql';

/** Operations that wait by design, each with where the server makes it wait. */
export const WAITING_OPERATIONS: Record<string, string> = {
  // common/rpc/interceptor/telemetry.go (telemetryUnaryOverrideOperationTag): a GetWorkflowExecutionHistory
  // with waitNewEvent, on the frontend and on history, is tagged PollWorkflowExecutionHistory. The SDKs'
  // result() waits this way, up to frontend.longPollExpirationInterval (20 s) per call.
  PollWorkflowExecutionHistory: 'frontend and history: GetWorkflowExecutionHistory with waitNewEvent',
  PollWorkflowTaskQueue: 'frontend and matching: task long poll (matching.longPollExpirationInterval, 1 minute)',
  PollActivityTaskQueue: 'frontend and matching: task long poll',
  PollNexusTaskQueue: 'frontend and matching: task long poll',
  PollMutableState: 'history: long poll behind PollWorkflowExecutionHistory',
  GetMutableState: 'history: long-polls when the caller expects a newer event',
  QueryWorkflow: 'frontend, history, matching: waits for a worker to answer',
  DispatchNexusTask: 'matching (matching_engine.go): waits for a worker to answer the Nexus task',
  UpdateWorkflowExecution: 'frontend and history: waits for the update to reach its stage',
  PollWorkflowExecutionUpdate: 'frontend and history: waits for the update',
  ExecuteMultiOperation: 'frontend: waits for the update of an update-with-start',
  // service/matching/user_data_manager.go: partitions long-poll their parent, WaitNewData, up to
  // matching.getUserDataLongPollTimeout (5 minutes less 10 s).
  GetTaskQueueUserData: 'matching: long poll between task queue partitions',
  // common/nexus/endpoint_registry.go: every frontend and history pod long-polls matching, Wait: true,
  // up to matching.listNexusEndpointsLongPollTimeout (5 minutes less 10 s); 20 s seen in the e2e run.
  ListNexusEndpoints: 'matching: Nexus endpoint registry long poll',
  CheckTaskQueueUserDataPropagation: 'matching: waits until every partition has the new user data',
  // chasm/lib/activity and chasm/lib/nexusoperation handler.go: chasm.PollComponent until the stage asked
  // for, up to the library's longPollTimeout; the frontend call forwards to history's.
  PollActivityExecution: 'frontend and history: standalone activity long poll',
  PollNexusOperationExecution: 'frontend: standalone Nexus operation long poll, forwarded to history',
  PollNexusOperation: 'history (CHASM nexusoperation service): standalone Nexus operation long poll',
};

/** Calls that never wait: their latency is what a user or worker feels, so the latency alert watches it. */
export const PLAIN_OPERATIONS = [
  // Without waitNewEvent: a worker or the UI reading a history page.
  'GetWorkflowExecutionHistory',
  'StartWorkflowExecution', 'RespondWorkflowTaskCompleted', 'RespondActivityTaskCompleted', 'SignalWorkflowExecution',
  'DescribeWorkflowExecution', 'RecordWorkflowTaskStarted', 'AddWorkflowTask', 'AddActivityTask',
];

/**
 * The operations of `ops` that a query's service_latency selectors keep: Prometheus anchors
 * `operation!~"..."` at both ends, so this applies the matchers as it does.
 */
export function keptOperations(expr: string, ops: string[]): string[] {
  const latency = selectorMatchers(expr).filter((s) => s.metric.startsWith('service_latency'));
  if (latency.length === 0) throw new Error(`no service_latency selector in ${expr}`);
  return ops.filter((op) => latency.every((s) => s.matchers.filter((m) => m.label === 'operation').every((m) => {
    const matches = new RegExp(`^(?:${m.value})$`).test(op);
    return m.op === '!~' ? !matches : m.op === '=~' ? matches : m.op === '=' ? op === m.value : op !== m.value;
  })));
}
