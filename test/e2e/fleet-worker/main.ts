/*
 * The program of the image a WorkerFleet runs in the e2e test, written as an application team
 * would write it against the fleet's contract: the connection comes from the SDK's environment
 * configuration alone (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS*, TEMPORAL_API_KEY), the
 * task queues, shutdown grace time and metrics address from the fleet's own variables. It never
 * sees the test's environment: the runner starts it with the pod's env only.
 *
 * FLEET_WORKFLOW_BUNDLE is the image's own setting (the e2e "image" is a script that sets it): the
 * workflow code bundled once, as a real image would ship it prebuilt.
 */
import type { Duration } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; the WorkerFleet sets it`);
  return value;
}

async function main(): Promise<void> {
  Runtime.install({
    logger: new DefaultLogger('INFO'),
    // SIGTERM (the kubelet's) makes every worker of the process shut down gracefully.
    shutdownSignals: ['SIGTERM', 'SIGINT'],
    telemetryOptions: { metrics: { prometheus: { bindAddress: required('TEMPORAL_WORKER_METRICS_BIND_ADDRESS'), useSecondsForDurations: true } } },
  });
  const config = loadClientConnectConfig();
  const connection = await NativeConnection.connect(config.connectionOptions);
  const taskQueues = required('TEMPORAL_TASK_QUEUES').split(',');
  const workers = await Promise.all(taskQueues.map((taskQueue) => Worker.create({
    connection,
    namespace: config.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath: required('FLEET_WORKFLOW_BUNDLE') },
    activities,
    // `30s`: both the SDK's ms format and Go's time.ParseDuration read it.
    shutdownGraceTime: required('TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME') as Duration,
  })));
  console.log(`fleet-worker ${process.pid}: polling ${taskQueues.join(', ')} in ${config.namespace} at ${String(config.connectionOptions.address)} (tls: ${Boolean(config.connectionOptions.tls)})`);
  await Promise.all(workers.map((w) => w.run()));
  await connection.close();
  console.log(`fleet-worker ${process.pid}: every worker stopped; exiting`);
}

main().then(() => process.exit(0), (err) => {
  console.error(`fleet-worker ${process.pid}: ${err?.stack ?? err}`);
  process.exit(1);
});
