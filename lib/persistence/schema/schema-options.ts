import type { Duration } from 'cdk8s';
import type { ServiceAccountOptions } from '../../pod/service-account';

/** How the schema Jobs and the servers' schema waits behave. */
export interface SchemaOptions {
  /**
   * Create each database or keyspace before setting up its schema. Turn off when the database is
   * created elsewhere and the schema user may not create databases.
   * @default true
   */
  readonly createDatabase?: boolean;
  /**
   * The ServiceAccount of the schema and namespace Jobs, for a workload identity that reaches the
   * database (IAM authentication). The Jobs never share the servers' ServiceAccount, so a store's
   * `passwordCommand` needs one here when `serviceAccount` gives the servers theirs (synth refuses
   * a workload identity annotation on the servers' alone).
   * @default - a dedicated ServiceAccount `<name>-jobs` without annotations
   */
  readonly serviceAccount?: ServiceAccountOptions;
  /**
   * Delete finished schema Jobs after this long. Refused with `GitOps.flux()` and with
   * `GitOps.argoCd()` without `jobsAsPreSyncHooks`: the controller would recreate each deleted Job
   * and run it again on every sync or interval; see the README.
   * @default - finished Jobs are kept
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Retries of a schema Job before Kubernetes marks it failed.
   * @default 6
   */
  readonly backoffLimit?: number;
  /**
   * How long each server pod's init container waits for its schema before it fails and the kubelet
   * restarts it with back-off.
   * @default Duration.minutes(10)
   */
  readonly waitTimeout?: Duration;
  /**
   * Hold each server pod until every Elasticsearch visibility store has the index template and the
   * index its schema Job creates (the server does not check them at start, and a missing index
   * only shows as failed visibility writes later). Turn off for an Elasticsearch that requires a
   * client certificate, which the wait (busybox wget) cannot present. The wait checks the store's
   * certificate against the image's system roots only, so for a store with `tls.ca`, `serverName`
   * or `enableHostVerification: false` it checks none. For an https store with a user or password
   * it must be set, true or false: the wait may send the credentials to whatever answers at the
   * store's address.
   * @default true (an https store with credentials: no default)
   */
  readonly waitForElasticsearch?: boolean;
}
