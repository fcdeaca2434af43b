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
 */

/** The env var that carries the pod's own namespace, from the downward API. */
export const POD_NAMESPACE_ENV_NAME = 'POD_NAMESPACE';

/** The pod's own namespace as an env var: resolved by the kubelet, not by DNS. */
export const POD_NAMESPACE_ENV: EnvVar = { name: POD_NAMESPACE_ENV_NAME, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } };

/** The init container that checks the namespace, in the pods that have no other script to do it. */
export const NAMESPACE_CHECK_CONTAINER_NAME = 'check-namespace';

/**
 * Shell text that stops (exit 1, the message on stderr) unless the shell words `here` and `want`
 * are the same namespace: `here` is where the pod runs, `want` where it was synthesized for.
 */
export function namespaceCheckLines(here: string, want: string): string {
  return `[ "${here}" = "${want}" ] || { echo "this pod runs in namespace ${here}, but was synthesized for namespace ${want}, which its addresses, certificates and policies name:`
    + ' set the namespace in the cdk8s app and synthesize again, rather than move the output (kustomize namespace:)" >&2; exit 1; }';
}

/** The check container's script: its first argument is the namespace the pod was synthesized for. */
export const NAMESPACE_CHECK_SCRIPT = namespaceCheckLines(`$${POD_NAMESPACE_ENV_NAME}`, '$1');

/** A shell's few megabytes, for the one `[` it runs. */
const NAMESPACE_CHECK_RESOURCES = {
  requests: { 'cpu': Quantity.fromString('10m'), 'memory': Quantity.fromString('16Mi'), 'ephemeral-storage': Quantity.fromString('1Mi') },
  limits: { 'cpu': Quantity.fromString('100m'), 'memory': Quantity.fromString('32Mi'), 'ephemeral-storage': Quantity.fromString('16Mi') },
};

/**
 * The init container, first in its pod, that stops the pod when it runs in another namespace than
 * `namespace`. `image` is one of the library's that has a POSIX `sh` (the admin tools'), since a
 * worker fleet's own image may have none.
 */
export function namespaceCheckContainer(namespace: string, image: string): Container {
  return {
    name: NAMESPACE_CHECK_CONTAINER_NAME,
    image,
    imagePullPolicy: libraryPullPolicy(image),
    command: ['sh', '-c', NAMESPACE_CHECK_SCRIPT, NAMESPACE_CHECK_CONTAINER_NAME, namespace],
    env: [POD_NAMESPACE_ENV],
    securityContext: CONTAINER_SECURITY_CONTEXT,
    resources: NAMESPACE_CHECK_RESOURCES,
  };
}
