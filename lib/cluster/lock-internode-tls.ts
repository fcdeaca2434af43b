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
 * Why the cluster `key` (locked as `lockedAs`, whose entry is `locked`) cannot turn its internode
 * TLS to what `current` records; undefined when it keeps it, or when the entry was written before
 * the lock recorded it (its value is recorded at this synth, and refused from the next).
 */
export function internodeTlsError(key: string, lockedAs: string, locked: LockedCluster, current: LockedCluster): string | undefined {
  const was = locked.internodeTls;
  const now = current.internodeTls;
  if (was === undefined || now === undefined || was === now) return undefined;
  const [namespace, name] = lockedAs.split('/');
  const as = lockedAs === key ? '' : ` (locked as ${lockedAs})`;
  const membership = now
    ? ' The cluster is stopped then anyway: set "membershipTls": true in the entry as well to serve its membership (ringpop) ports over TLS too; left out, they stay plaintext and the synth summary says so.'
    : '';
  return `cluster ${key}${as}: internodeTls is locked at ${was} (${was ? 'the cluster ran with tls' : 'the cluster ran without tls'}), but the app now `
    + `${now ? 'gives tls' : 'gives no tls'}, which makes it ${now}. Each role serves its internode gRPC port either over TLS or plaintext, never both, and dials its `
    + 'peers as its own config says: during a rolling change the old pods and the new cannot call each other, and the frontend\'s calls to history and matching '
    + 'and history\'s calls to matching fail until the last old pod is gone. To change it, stop the whole cluster first: '
    + `kubectl scale deployment -n ${namespace} -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=${name} --replicas=0, wait until no pod of it runs, `
    + `set "internodeTls": ${now} in the entry ${lockedAs} of the lock file, synthesize and apply (the Deployments come back at their replicas).${membership} `
    + `Or ${was ? 'keep tls (other certificates, Secrets or cert-manager instead of Secrets are no change)' : 'leave tls out'}.`;
}
