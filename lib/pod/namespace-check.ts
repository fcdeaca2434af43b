import { Container, EnvVar, Quantity } from '../../imports/k8s';
import { libraryPullPolicy } from './images';
import { CONTAINER_SECURITY_CONTEXT } from './security-context';

/*
 * Every pod the library emits that talks to a Temporal cluster or to its stores names namespaces
 * no tool that moves objects rewrites: the frontend's address (`<svc>.<ns>.svc.<domain>`), the
 * TLS server names, the stores' hosts, the certificates and the admission policies' bindings. A
 * kustomize `namespace:` (a Flux Kustomization's `targetNamespace`, an Argo CD Application's
 * `kustomize.namespace`) moves the objects and leaves those names, so a moved pod would dial the
 * old namespace's frontend or store: another cluster's, when one answers there (a staging overlay
 * of the production app would run production's task queues). Such a pod stops here instead, and
 * its log says why and what to do.
 *
 * The pod's namespace comes from the downward API (`metadata.namespace`), which the kubelet
 * resolves when the container starts, so it is exact whatever the pod's DNS settings; what it
 * was synthesized for is a literal argument, which a namespace transformer leaves alone. The
 * comparison is text only (no `${`, no `$$`, no `$(`): Flux's post-build substitution and the
 * kubelet's `$(VAR)` expansion leave it as written.
 *
 * A kustomize `namePrefix`/`nameSuffix` is the same mistake by name: it renames the objects and
 * the references kustomize knows (a pod template's ConfigMaps, Secrets and ServiceAccount), not the
 * Service names inside the server config, the frontend addresses, the TLS server names nor the
 * certificates' DNS names, so a renamed copy beside the original (a `staging-` overlay of the
 * production app in its namespace) would dial the original's frontend. Every pod that checks its
 * namespace also checks its ServiceAccount: the pod's (`spec.serviceAccountName` from the downward
 * API, which kustomize renames with the ServiceAccount) against the one it was synthesized for (a
 * literal argument again, which a name transformer leaves alone). A ServiceAccount kustomize is not
 * given (one the props name but the output does not hold) keeps its name, and so passes: a
 * Deployment's pod that runs as one then also checks its own name, which its ReplicaSet gives it
 * from the Deployment's, renamed or not (`<deployment>-<pod-template-hash>-` cut to 58 characters,
 * then 5 random ones: the ReplicaSet controller's generateName and the API server's rule).
 */

/** The env var that carries the pod's own namespace, from the downward API. */
export const POD_NAMESPACE_ENV_NAME = 'POD_NAMESPACE';

/** The pod's own namespace as an env var: resolved by the kubelet, not by DNS. */
export const POD_NAMESPACE_ENV: EnvVar = { name: POD_NAMESPACE_ENV_NAME, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } };

/** The env var that carries the pod's own ServiceAccount, from the downward API. */
export const POD_SERVICE_ACCOUNT_ENV_NAME = 'POD_SERVICE_ACCOUNT';

/** The pod's own ServiceAccount as an env var: what a name transformer renamed it to, if it did. */
export const POD_SERVICE_ACCOUNT_ENV: EnvVar = { name: POD_SERVICE_ACCOUNT_ENV_NAME, valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } };

/** The env var that carries the pod's own name, from the downward API. */
export const POD_NAME_ENV_NAME = 'POD_NAME';

/** The env var that carries the pod's `pod-template-hash` label, which the Deployment controller sets and puts in the ReplicaSet's name. */
export const POD_TEMPLATE_HASH_ENV_NAME = 'POD_TEMPLATE_HASH';

/** The pod's name and its template hash: what a Deployment's pods are named after. */
export const POD_NAME_ENV: EnvVar[] = [
  { name: POD_NAME_ENV_NAME, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: POD_TEMPLATE_HASH_ENV_NAME, valueFrom: { fieldRef: { fieldPath: "metadata.labels['pod-template-hash']" } } },
];

/** The init container that checks the namespace and the ServiceAccount, in the pods that have no other script to do it. */
export const NAMESPACE_CHECK_CONTAINER_NAME = 'check-namespace';

/**
 * Shell text that stops (exit 1, the message on stderr) unless the shell words `here` and `want`
 * are the same namespace: `here` is where the pod runs, `want` where it was synthesized for.
 */
export function namespaceCheckLines(here: string, want: string): string {
  return `[ "${here}" = "${want}" ] || { echo "this pod runs in namespace ${here}, but was synthesized for namespace ${want}, which its addresses, certificates and policies name:`
    + ' set the namespace in the cdk8s app and synthesize again, rather than move the output (kustomize namespace:)" >&2; exit 1; }';
}

/**
 * Shell text that stops (exit 1, the message on stderr) unless the shell words `here` and `want`
 * are the same ServiceAccount: `here` is the pod's, `want` the one it was synthesized for.
 */
export function serviceAccountCheckLines(here: string, want: string): string {
  return `[ "${here}" = "${want}" ] || { echo "this pod runs as ServiceAccount ${here}, but was synthesized for ServiceAccount ${want}, ${RENAMED_REMEDY}" >&2; exit 1; }`;
}

/** What a renamed pod's message says after naming what it compared. */
const RENAMED_REMEDY = 'and the names its addresses, certificates and config hold are those of the output as synthesized (the original\'s, when a renamed copy runs beside it):'
  + ' set the name in the cdk8s app (a cluster\'s or fleet\'s name) and synthesize again, rather than rename the output (kustomize namePrefix:, nameSuffix:)';

/**
 * Shell text that stops unless the pod (POD_NAME, POD_TEMPLATE_HASH) is one of the Deployment
 * named by the shell word `deployment`, as the Deployment and ReplicaSet controllers name them.
 * `expr` cuts the prefix to 58 characters, as the API server cuts a generateName (no `${`: see above).
 */
export function podNameCheckLines(deployment: string): string {
  return `want=\`expr "x${deployment}-$${POD_TEMPLATE_HASH_ENV_NAME}-" : 'x\\(.\\{1,58\\}\\)'\`; case "$${POD_NAME_ENV_NAME}" in "$want"?????) ;; *) echo "this pod is named $${POD_NAME_ENV_NAME},`
    + ` but was synthesized for Deployment ${deployment}, whose pods are named $want and 5 more characters, ${RENAMED_REMEDY}" >&2; exit 1;; esac`;
}

/**
 * The check container's script: its first argument is the namespace the pod was synthesized for,
 * its second the ServiceAccount. The namespace first: a moved output's message is the namespace's.
 */
export const NAMESPACE_CHECK_SCRIPT = namespaceCheckLines(`$${POD_NAMESPACE_ENV_NAME}`, '$1') + '\n'
  + serviceAccountCheckLines(`$${POD_SERVICE_ACCOUNT_ENV_NAME}`, '$2');

/**
 * The check of a Deployment's pod that runs as a ServiceAccount the output may not hold: its third
 * argument is the Deployment's name, which its pods' names start with.
 */
export const DEPLOYMENT_POD_CHECK_SCRIPT = `${NAMESPACE_CHECK_SCRIPT}\n${podNameCheckLines('$3')}`;

/**
 * The check, then the command given after its two arguments: for a container of the library's that
 * runs the admin-tools image anyway (a Job's first step), which then needs no check container of
 * its own. `exec` leaves the step's command the container's process, as without the check.
 */
export const NAMESPACE_CHECK_THEN_EXEC_SCRIPT = `${NAMESPACE_CHECK_SCRIPT}\nshift 2\nexec "$@"`;

/**
 * `container` (one of the library's, in an image with a POSIX `sh`, that sets `command` and no
 * `args`) with the check run first in it, and its own command after.
 */
export function withNamespaceCheck(container: Container, namespace: string, serviceAccountName: string): Container {
  if (!container.command || container.args) throw new Error(`withNamespaceCheck: container ${container.name} must set command and no args`);
  // The downward API's values last, and no other var of the same name: of two, the kubelet gives the last.
  const taken = (container.env ?? []).find((e) => e.name === POD_NAMESPACE_ENV_NAME || e.name === POD_SERVICE_ACCOUNT_ENV_NAME);
  if (taken) throw new Error(`withNamespaceCheck: container ${container.name} sets ${taken.name}, which the check reads from the downward API`);
  return {
    ...container,
    command: ['sh', '-c', NAMESPACE_CHECK_THEN_EXEC_SCRIPT, NAMESPACE_CHECK_CONTAINER_NAME, namespace, serviceAccountName, ...container.command],
    env: [...container.env ?? [], POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV],
  };
}

/** A shell's few megabytes, for the one `[` it runs. */
const NAMESPACE_CHECK_RESOURCES = {
  requests: { 'cpu': Quantity.fromString('10m'), 'memory': Quantity.fromString('16Mi'), 'ephemeral-storage': Quantity.fromString('1Mi') },
  limits: { 'cpu': Quantity.fromString('100m'), 'memory': Quantity.fromString('32Mi'), 'ephemeral-storage': Quantity.fromString('16Mi') },
};

/**
 * The init container, first in its pod, that stops the pod when it runs in another namespace than
 * `namespace` or as another ServiceAccount than `serviceAccountName` (the pod spec's own), or, with
 * `deployment`, when it is not a pod of the Deployment of that name. `image` is one of the
 * library's that has a POSIX `sh` (the admin tools'), since a worker fleet's own image may have none.
 */
export function namespaceCheckContainer(namespace: string, serviceAccountName: string, image: string, deployment?: string): Container {
  return {
    name: NAMESPACE_CHECK_CONTAINER_NAME,
    image,
    imagePullPolicy: libraryPullPolicy(image),
    command: deployment === undefined ? ['sh', '-c', NAMESPACE_CHECK_SCRIPT, NAMESPACE_CHECK_CONTAINER_NAME, namespace, serviceAccountName]
      : ['sh', '-c', DEPLOYMENT_POD_CHECK_SCRIPT, NAMESPACE_CHECK_CONTAINER_NAME, namespace, serviceAccountName, deployment],
    env: [POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV, ...deployment === undefined ? [] : POD_NAME_ENV],
    securityContext: CONTAINER_SECURITY_CONTEXT,
    resources: NAMESPACE_CHECK_RESOURCES,
  };
}
