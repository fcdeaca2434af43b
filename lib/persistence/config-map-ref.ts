import { requireDataKey, requireDns1123Subdomain } from '../validation';

/**
 * A reference to one key of a Kubernetes ConfigMap, for a file that is no secret but may be
 * published as a ConfigMap, such as a CA certificate that trust-manager's Bundle writes (its
 * `target.configMap`). Like a SecretRef, it names the key only: the library mounts it, and no value
 * is written into the manifests.
 */
export class ConfigMapRef {
  /**
   * @param configMapName the name of a ConfigMap in the cluster's namespace
   * @param key the key inside the ConfigMap's data
   */
  public static of(configMapName: string, key: string): ConfigMapRef {
    requireDns1123Subdomain('ConfigMapRef', 'configMapName', configMapName);
    requireDataKey('ConfigMapRef', 'key', key);
    return new ConfigMapRef(configMapName, key);
  }

  private constructor(public readonly configMapName: string, public readonly key: string) {}
}
