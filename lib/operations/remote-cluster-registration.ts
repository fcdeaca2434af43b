import { Construct } from 'constructs';
import { remoteClustersJobName } from '../cluster/object-names';
import { KubeJob } from '../../imports/k8s';
import { checkedToolPodProps, frontendClientJob, FrontendClientJobProps, WAIT_FOR_FRONTEND } from './tool-job';
import { ResolvedRemoteCluster } from '../cluster/cluster-metadata';
import { byCodeUnits, plainProps, propError } from '../validation';
import { isBuiltByCluster } from '../cluster/built-by-cluster';

export interface RemoteClusterRegistrationProps extends FrontendClientJobProps {
  readonly clusterName: string;
  /** The clusters to register, checked by `clusterMetadata`. */
  readonly remoteClusters: ResolvedRemoteCluster[];
}

/*
 * Registers each remote cluster with this one the way the server reads them since 1.14: through
 * OperatorService.AddOrUpdateRemoteCluster (`temporal operator cluster upsert`), which stores it in
 * this cluster's database. The local frontend dials the remote to read its metadata first, so a
 * remote that does not answer yet ("Unable connect to remote cluster <addr> with error") is waited
 * for, ten minutes, and one that never answers (a remote being taken apart, one not built yet)
 * fails the Job only after the others, so it holds up no other remote; any other refusal (same
 * name, increment mismatch, failover version conflict, global namespaces off) is final. An
 * upsert of the same address is idempotent: the row is saved again.
 *
 * `--enable-connection` is a bool flag: it must be given (and as --flag=value), or the remote is
 * stored with its connection off. CLIs from 1.7 also store the separate replication flag, which the
 * server consults only when history.enableSeparateReplicationEnableFlag is on; 1.5 has no such flag.
 *
 * Afterwards the script reads the stored row back (`cluster list -o jsonl`, one JSON object per
 * cluster) and checks that the cluster at that address calls itself by the declared name and has
 * the declared initial failover version, so that an address pointing at the wrong cluster fails
 * the Job instead of replicating with it. Another cluster registered at that address is one that was there
 * before (a remote renamed or rebuilt in place): the servers would keep dialing it and reach the new
 * one, so the Job fails naming it and the commands that remove it: since 1.32 the server refuses to
 * remove a cluster that a global namespace of both still lists ("still referenced by namespace"),
 * so each such namespace is narrowed first (`namespace update --cluster` for each cluster kept).
 * Values arrive as positional arguments, four per cluster, never spliced into the script.
 */
const SCRIPT = [
  'set -u',
  WAIT_FOR_FRONTEND,
  'replication=false; silent=',
  'if temporal operator cluster upsert --help 2>&1 | grep -q -e "--enable-replication"; then replication=true; fi',
  'remove="temporal operator cluster remove --name <name>, once no global namespace lists it (the server refuses before: take it out of each with temporal operator namespace update --namespace <namespace> --cluster <each cluster kept>)"',
  'field() { printf "%s\\n" "$2" | sed -n "s/.*\\"$1\\": *\\"\\{0,1\\}\\([^\\",}]*\\).*/\\1/p"; }',
  'while [ "$#" -ge 4 ]; do',
  '  name=$1; address=$2; version=$3; enabled=$4; shift 4',
  '  attempt=1',
  '  while :; do',
  '    if [ "$replication" = true ]; then',
  '      out=$(temporal operator cluster upsert --address "$TEMPORAL_ADDRESS" --frontend-address "$address" --enable-connection="$enabled" --enable-replication="$enabled" 2>&1) && break',
  '    else',
  '      out=$(temporal operator cluster upsert --address "$TEMPORAL_ADDRESS" --frontend-address "$address" --enable-connection="$enabled" 2>&1) && break',
  '    fi',
  '    case "$out" in',
  '      *"Unable connect to remote cluster "*" with error: "*) ;;',
  '      *"initial failover version conflict"*) echo "failed to register remote cluster $name at $address: $out; another cluster this one has registered (temporal operator cluster list) has initial failover version $version: a remote renamed or rebuilt, whose old registration is left (remove it with: $remove), or two remotes with one version" >&2; exit 1;;',
  '      *) echo "failed to register remote cluster $name at $address: $out" >&2; exit 1;;',
  '    esac',
  '    if [ "$attempt" -ge 120 ]; then echo "gave up: remote cluster $name at $address did not answer: $out" >&2; silent="$silent $name"; continue 2; fi',
  '    echo "waiting for remote cluster $name at $address to answer (attempt $attempt): $(printf "%s\\n" "$out" | tail -n 1)"',
  '    attempt=$((attempt + 1)); sleep 5',
  '  done',
  '  list=$(temporal operator cluster list --address "$TEMPORAL_ADDRESS" -o jsonl 2>&1)',
  '  rows=$(printf "%s\\n" "$list" | grep -F "\\"$address\\"")',
  '  row=; others=',
  '  while IFS= read -r line; do',
  '    [ -n "$line" ] || continue',
  '    if [ "$(field clusterName "$line")" = "$name" ]; then row=$line; else others="$others $(field clusterName "$line")"; fi',
  '  done <<EOF',
  '$rows',
  'EOF',
  '  if [ -z "$row" ]; then',
  '    actual=$(echo $others)',
  '    if [ -z "$actual" ]; then echo "remote cluster $name at $address: the upsert passed, but temporal operator cluster list shows no cluster at that address, so which cluster answers there is not known (its last line: $(printf "%s\\n" "$list" | tail -n 1)); run the Job again once the frontend answers, and if it fails the same way, see what is registered with: temporal operator cluster list" >&2; exit 1; fi',
  '    case "$actual" in *" "*) echo "the clusters registered at $address are $actual, none of them $name; fix remoteClusters (name or rpcAddress), then remove the wrong registrations with: $remove" >&2; exit 1;; esac',
  '    echo "the cluster at $address calls itself \\"$actual\\", but this cluster lists it as $name; fix remoteClusters (name or rpcAddress), then remove the wrong registration with: $(printf "%s\\n" "$remove" | sed "s/<name>/$actual/")" >&2; exit 1',
  '  fi',
  '  actual_version=$(field initialFailoverVersion "$row")',
  '  if [ "$actual_version" != "$version" ]; then',
  '    echo "remote cluster $name at $address has initial failover version $actual_version, but this cluster lists it with $version; fix remoteClusters" >&2; exit 1',
  '  fi',
  '  if [ -n "$others" ]; then',
  '    echo "remote cluster $name at $address: registered, but this cluster also has a registration left at that address from a cluster that is no longer there (a remote renamed or rebuilt at the same address):$others. Its servers would keep dialing it there, and reach $name. Remove each with: $remove" >&2; exit 1',
  '  fi',
  '  echo "remote cluster $name at $address: registered, connection enabled: $enabled, initial failover version $version"',
  'done',
  'if [ -n "$silent" ]; then echo "remote clusters that did not answer, left as they were (the others are registered):$silent; the Job fails so that it runs again" >&2; exit 1; fi',
].join('\n');

/**
 * A Job that registers the remote clusters with this cluster, idempotently, once its frontend
 * answers. Its name carries a hash of its whole spec (see frontendClientJob), so a changed list
 * or release makes a new Job instead of editing an immutable one. Built by `TemporalCluster` from its
 * `remoteClusters` (`cluster.remoteClusterRegistration`): one built on remotes of its own is refused.
 */
export class RemoteClusterRegistration extends Construct {
  /** The Job's name. */
  public readonly name: string;
  public readonly resource: KubeJob;

  constructor(scope: Construct, id: string, props: RemoteClusterRegistrationProps) {
    super(scope, id);
    const owner = `RemoteClusterRegistration '${id}'`;
    props = checkedToolPodProps(owner, plainProps(owner, props, 'RemoteClusterRegistrationProps'));
    // The checks of a remote (global namespaces on, no authorizer, failover versions distinct, never
    // the cluster's own frontend nor an internal frontend of the app) are the cluster's and the app's.
    if (!isBuiltByCluster(props.remoteClusters)) {
      throw propError(owner, 'remoteClusters', (props.remoteClusters ?? []).map((r) => r?.name), 'the remote clusters a TemporalCluster resolves from its remoteClusters prop',
        'A registration Job outside its cluster writes remotes into a database whose cluster never checked them (global namespaces, authorization, distinct '
        + 'failover versions, an internal frontend of the app as a remote, which is cluster admin to every caller); declare them in the TemporalCluster\'s remoteClusters.');
    }
    // In one order, whatever the app's: each remote's upsert and check stand alone, so a reordered
    // list ran the same steps under another Job name, and ran them again.
    const key = (r: ResolvedRemoteCluster) => `${r.name}\n${r.rpcAddress}`;
    const remotes = [...props.remoteClusters].sort((a, b) => byCodeUnits(key(a), key(b)));
    const args = remotes.flatMap((r) => [r.name, r.rpcAddress, String(r.initialFailoverVersion), String(r.enabled)]);
    ({ name: this.name, resource: this.resource } = frontendClientJob(this, props, {
      name: 'register-remote-clusters', script: SCRIPT, args, jobName: (hash) => remoteClustersJobName(props.clusterName, hash),
    }));
  }
}
