/**
 * History task types the server's constraint parser reads (enumsspb.TaskTypeFromString: the
 * shorthand or the full enum name), with the first release that knows each one when it is not
 * every release the library knows.
 */
export const HISTORY_TASK_TYPES: Record<string, string | undefined> = Object.fromEntries([
  ...['ReplicationHistory', 'ReplicationSyncActivity', 'TransferWorkflowTask', 'TransferActivityTask', 'TransferCloseExecution',
    'TransferCancelExecution', 'TransferStartChildExecution', 'TransferSignalExecution', 'TransferResetWorkflow', 'WorkflowTaskTimeout',
    'ActivityTimeout', 'UserTimer', 'WorkflowRunTimeout', 'DeleteHistoryEvent', 'ActivityRetryTimer', 'WorkflowBackoffTimer',
    'VisibilityStartExecution', 'VisibilityUpsertExecution', 'VisibilityCloseExecution', 'VisibilityDeleteExecution', 'TransferDeleteExecution',
    'ReplicationSyncWorkflowState', 'ArchivalArchiveExecution', 'StateMachineOutbound', 'StateMachineTimer', 'WorkflowExecutionTimeout',
    'ReplicationSyncHsm', 'ReplicationSyncVersionedTransition', 'ChasmPure', 'Chasm'].map((t) => [t, undefined]),
  ['ReplicationDeleteExecution', '1.31.0'], ['WorkerCommands', '1.32.0'], ['TimeskippingTimer', '1.32.0'],
].flatMap(([t, since]) => [[t, since], [`TASK_TYPE_${t!.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`, since]]));
