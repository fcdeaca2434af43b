import type { LockedCluster } from './lock-record';

/*
 * With `tls` every role serves its internode gRPC port with the internode server settings, and
 * then over TLS alone: the server hands grpc.Creds(credentials.NewTLS(...)) to the listener, with no
 * plaintext fallback (common/rpc/rpc.go, GetInternodeGRPCServerOptions; the internal frontend and
 * the worker role serve the same way). Each pod dials its peers as its own config says, TLS when
 * the internode client section has a CA (GetInternodeClientConfig), plaintext without one. So
 * during a rolling change a pod of the old config and one of the new cannot call each other: the
 * frontend's calls to history and matching, history's to matching, and the system workers' to the
 * internal frontend fail until the last old pod is gone. Which certificates, which Secrets, whether
 * cert-manager issues them: none of that changes on or off, so only `tls` given or not counts.
 * The public frontend's TLS is not recorded: its clients (SDKs, fleets, the UI) change with it
 * whatever the servers do, and stopping the cluster spares them nothing.
 */

/**
 * How a stopped cluster comes back: apply restores a Deployment's replicas, but an autoscaled one
 * has none in its spec, and an autoscaler does not scale a Deployment up from 0.
 */
export const BACK_AFTER_STOP = '(the Deployments come back at their replicas; an autoscaled frontend does not, as its autoscaler does not scale up from 0: '
  + 'kubectl scale it to its minReplicas)';

/**
 * Why the cluster `key` (locked as `lockedAs`, whose entry is `locked`) cannot turn its internode
 * TLS to what `current` records; undefined when it keeps it, or when the entry was written before
 * the lock recorded it (its value is recorded at this synth, and refused from the next).
 */
export function internodeTlsError(key: string, lockedAs: string, locked: LockedCluster, current: LockedCluster): string | undefined {
  // The lock records membershipTls for a cluster with tls alone: an entry written before
  // internodeTls that has it is one of a cluster that ran with tls.
  const inferred = locked.internodeTls === undefined && locked.membershipTls !== undefined;
  const was = inferred ? true : locked.internodeTls;
  const now = current.internodeTls;
  if (was === undefined || now === undefined || was === now) return undefined;
  const [namespace, name] = lockedAs.split('/');
  const as = lockedAs === key ? '' : ` (locked as ${lockedAs})`;
  const membership = now
    ? ' The cluster is stopped then anyway: set "membershipTls": true in the entry as well to serve its membership (ringpop) ports over TLS too; left out, they stay plaintext and the synth summary says so.'
    : '';
  const why = inferred ? 'the entry records membershipTls, which the lock writes for a cluster with tls alone' : was ? 'the cluster ran with tls' : 'the cluster ran without tls';
  return `cluster ${key}${as}: internodeTls is locked at ${was} (${why}), but the app now `
    + `${now ? 'gives tls' : 'gives no tls'}, which makes it ${now}. Each role serves its internode gRPC port either over TLS or plaintext, never both, and dials its `
    + 'peers as its own config says: during a rolling change the old pods and the new cannot call each other, and the frontend\'s calls to history and matching '
    + 'and history\'s calls to matching fail until the last old pod is gone. To change it, stop the whole cluster first: '
    + `kubectl scale deployment -n ${namespace} -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=${name} --replicas=0, wait until no pod of it runs, `
    + `set "internodeTls": ${now} in the entry ${lockedAs} of the lock file, synthesize and apply ${BACK_AFTER_STOP}.${membership} `
    + `Or ${was ? 'keep tls (other certificates, Secrets or cert-manager instead of Secrets are no change)' : 'leave tls out'}.`;
}

/**
 * What the synth summary warns of for an entry written before the lock recorded internodeTls or
 * membershipTls, or undefined. Nothing else in such an entry tells whether the cluster had tls:
 * its store URIs, versions, digests and shard count are recorded alike either way. So this synth
 * records what the app says, unrefused, and only the user knows whether the pods that run now
 * were deployed so; the next synth reads the field, so the warning comes once.
 */
export function internodeTlsUnrecorded(key: string, lockedAs: string, locked: LockedCluster, current: LockedCluster): string | undefined {
  if (locked.internodeTls !== undefined || locked.membershipTls !== undefined || current.internodeTls === undefined) return undefined;
  const [namespace, name] = lockedAs.split('/');
  const now = current.internodeTls;
  return `cluster ${key}${lockedAs === key ? '' : ` (locked as ${lockedAs})`}: the lock's entry ${lockedAs} was written before the lock recorded internodeTls, `
    + `and nothing in it tells whether the cluster ran with tls. This synth records "internodeTls": ${now} (the app ${now ? 'gives tls' : 'gives no tls'}), and later synths `
    + `refuse a change of it. If the pods that run now were deployed ${now ? 'without' : 'with'} tls, applying this output is such a change: each role serves its `
    + 'internode gRPC port over TLS or plaintext, never both, so during a rolling update the old pods and the new cannot call each other. Then stop the whole '
    + `cluster first: kubectl scale deployment -n ${namespace} -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=${name} --replicas=0, wait until no `
    + `pod of it runs, and apply ${BACK_AFTER_STOP}. If they were deployed ${now ? 'with' : 'without'} tls, nothing is to do.`;
}

