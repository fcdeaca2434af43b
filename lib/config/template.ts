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

  private constructor(public readonly expression: string, public readonly envName: string) {}
}

/** A config value: a plain scalar or a template the server renders. */
export type ConfigScalar = string | number | boolean | GoTemplate;
