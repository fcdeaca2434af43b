import * as path from 'path';
import versions from './versions.json';
import { runToolScript } from '../support/tool-script';

/** What scripts/kube-tools.sh prepares. */
export interface KubeTools {
  readonly kubeApiserverBin: string;
  readonly kubectlBin: string;
  /** Run with only the ValidatingAdmissionPolicy status controller, which type-checks policies. */
  readonly kubeControllerManagerBin: string;
  readonly etcdBin: string;
  readonly kubernetesVersion: string;
  /** The etcd release Kubernetes itself tests with (its hack/lib/etcd.sh). */
  readonly etcdVersion: string;
}

const SCRIPT = path.resolve(__dirname, '../../scripts/kube-tools.sh');

/** Bound of a cold build; hooks that call ensureKubeTools need at least this as their timeout. */
export const TOOLS_TIMEOUT_MS = 90 * 60 * 1000;

/**
 * Builds (or reuses) kube-apiserver, kubectl, kube-controller-manager and etcd for the Kubernetes release in versions.json.
 * Cold, this compiles Kubernetes from source: about half an hour on two busy cores.
 */
export function ensureKubeTools(): KubeTools {
  const get = runToolScript<'KUBE_APISERVER_BIN' | 'KUBECTL_BIN' | 'KUBE_CONTROLLER_MANAGER_BIN' | 'ETCD_BIN' | 'KUBERNETES_VERSION' | 'ETCD_VERSION'>(
    SCRIPT, [versions.kubernetes], TOOLS_TIMEOUT_MS);
  return {
    kubeApiserverBin: get('KUBE_APISERVER_BIN'),
    kubectlBin: get('KUBECTL_BIN'),
    kubeControllerManagerBin: get('KUBE_CONTROLLER_MANAGER_BIN'),
    etcdBin: get('ETCD_BIN'),
    kubernetesVersion: get('KUBERNETES_VERSION'),
    etcdVersion: get('ETCD_VERSION'),
  };
}
