import { propError, requireTaskQueueName } from '../validation';

/** Characters KEDA allows in a name it puts into its visibility query (validVisibilityQueryLiteral). */
export const VISIBILITY_LITERAL = /^[a-zA-Z0-9\-_./:]+$/;

/**
 * The queue KEDA counts running workflows on with keepWhileWorkflowsRun (workflowTaskQueueForCount):
 * its visibility query matches a workflow's own task queue (TaskQueue = '<queue>'), so a fleet that
 * polls no workflow tasks keeps its pods only through the queue its workflows are started on.
 */
export function countedWorkflowQueue(owner: string, given: unknown, keepWhileWorkflowsRun: boolean, queueTypes: readonly string[], runsWorkflows: boolean): string | undefined {
  if (given === undefined) {
    if (keepWhileWorkflowsRun && !runsWorkflows) {
      throw propError(owner, 'keepWhileWorkflowsRun', true, `workflowTaskQueue as well with queueTypes [${queueTypes.join(', ')}], a fleet that runs no workflows`,
        'KEDA counts the running workflows whose own task queue is the fleet\'s queue: the workflows whose activities this fleet runs count only if they run on a '
        + 'queue of the same name, and started on another they count as none, so KEDA removes the last pod while their activities run. Set workflowTaskQueue '
        + 'to the queue those workflows are started on (the fleet\'s own queue when they share it), add BacklogQueueType.WORKFLOW to queueTypes if the fleet '
        + 'runs them, or keep a pod with minReplicas 1 instead.');
    }
    return undefined;
  }
  if (!keepWhileWorkflowsRun) {
    throw propError(owner, 'workflowTaskQueue', given, 'no value without keepWhileWorkflowsRun: true',
      'It names the queue whose running workflows keep the fleet, and KEDA refuses the trigger without keepWhileWorkflowsRun. Drop it, or set keepWhileWorkflowsRun.');
  }
  const queue = requireTaskQueueName(owner, 'workflowTaskQueue', given);
  if (!VISIBILITY_LITERAL.test(queue)) {
    throw propError(owner, 'workflowTaskQueue', queue, 'letters, digits and -_./: only, with keepWhileWorkflowsRun',
      'KEDA refuses other characters in the visibility query it runs; name the queue so, or keep a pod with minReplicas 1 instead.');
  }
  if (runsWorkflows) {
    // KEDA counts on this one queue for every trigger, so the fleet's own running workflows would stop keeping a pod.
    throw propError(owner, 'workflowTaskQueue', queue, `no value with queueTypes [${queueTypes.join(', ')}], a fleet that runs workflows`,
      'KEDA then counts the running workflows on that queue alone, for every trigger, and this fleet\'s own running workflows no longer keep a pod. '
      + 'Drop workflowTaskQueue (the fleet\'s own queues are counted), or run the activities in a fleet of their own with queueTypes without WORKFLOW.');
  }
  return queue;
}
