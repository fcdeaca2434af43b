import { requireDataKey, requireDns1123Subdomain } from '../validation';

/**
 * A reference to one key of a Kubernetes Secret. Credentials only ever travel this way: the
 * Secret is mounted into the pod as an env var, and the server config reads that variable
 * through the server's own template rendering, so no credential appears in any ConfigMap.
 */
export class SecretRef {
  /**
   * @param secretName the name of a Secret in the cluster's namespace
   * @param key the key inside the Secret's data
   */
  public static of(secretName: string, key: string): SecretRef {
    requireDns1123Subdomain('SecretRef', 'secretName', secretName);
    requireDataKey('SecretRef', 'key', key);
    return new SecretRef(secretName, key);
  }

  private constructor(public readonly secretName: string, public readonly key: string) {}

  /** @internal */
  public _toEnvSource() {
    return { secretKeyRef: { name: this.secretName, key: this.key } };
  }
}
