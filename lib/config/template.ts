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
   * A map key the server fills in from an env var: a marker that `renderServerConfig` replaces with
   * the quoted template, since the YAML writer would escape a template in a key. The marker starts
   * with a NUL, which no key a user can give holds (every such key is checked to a plain name), so
   * user text never turns into the template.
   */
  public static envKey(name: string): string {
    return `${ENV_KEY_PREFIX}${name}`;
  }

  /** The env var an `envKey` marker names, or undefined for any other key. */
  public static envKeyName(key: string): string | undefined {
    return key.startsWith(ENV_KEY_PREFIX) ? key.slice(ENV_KEY_PREFIX.length) : undefined;
  }

  private constructor(public readonly expression: string, public readonly envName: string) {}
}

const ENV_KEY_PREFIX = '\u0000cdk8s-temporal-env-key:';

/** A config value: a plain scalar or a template the server renders. */
export type ConfigScalar = string | number | boolean | GoTemplate;
