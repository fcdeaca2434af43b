/**
 * A value the server fills in when it renders its config file as a Go template (the file starts
 * with an `# enable-template` comment; see common/config/loader.go). We only ever read env vars,
 * which is how Secret values and the pod IP reach the file without being written into a ConfigMap.
 */
export class GoTemplate {
  /** The env var as a quoted YAML string. */
  public static envString(name: string): GoTemplate {
    return new GoTemplate(`{{ env "${name}" | quote }}`, name);
  }

  /** The env var as a bare YAML scalar, for numbers. */
  public static envNumber(name: string): GoTemplate {
    return new GoTemplate(`{{ env "${name}" }}`, name);
  }

  /**
   * A map key the server fills in from an env var: a placeholder string that `renderServerConfig`
   * replaces with the quoted template, since the YAML writer would escape a template in a key.
   */
  public static envKey(name: string): string {
    return `${KEY_PREFIX}${name}__`;
  }

  private constructor(public readonly expression: string, public readonly envName: string) {}
}

const KEY_PREFIX = '__cdk8s_temporal_env_key_';

/** Replaces the key placeholders of `envKey` in rendered YAML with the quoted env templates. */
export function renderEnvKeys(yaml: string): string {
  return yaml.replace(new RegExp(`${KEY_PREFIX}([A-Z0-9_]+)__`, 'g'), (_, name) => GoTemplate.envString(name).expression);
}

/** A config value: a plain scalar or a template the server renders. */
export type ConfigScalar = string | number | boolean | GoTemplate;
