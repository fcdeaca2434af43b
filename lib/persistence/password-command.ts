import { Duration } from 'cdk8s';
import { Container } from '../../imports/k8s';
import { SHELL_EXPAND } from '../pod/shell-expand';
import { durationMillis, GO_MAX_DURATION_S, kubeletLiteral, propError, refuseCredentialsInArgs, shownDuration } from '../validation';

/**
 * A command that prints a SQL store's password (`sql.passwordCommand`, server 1.31+), for databases
 * that authenticate with short-lived tokens: RDS IAM, Cloud SQL IAM, Azure AD.
 *
 * The server runs it without a shell (`exec`), reads its standard output with trailing newlines and
 * carriage returns removed, and runs it again for every new database connection; nothing is cached.
 * Keep `pool.maxConnLifetime` below the token's lifetime (for 15-minute tokens, 10 minutes). The
 * server and admin-tools images hold only busybox: bring the helper in with
 * `Persistence.databaseAccess` (an init container that copies it into a shared volume) or a custom
 * image.
 */
export interface PasswordCommand {
  /** The executable, best as an absolute path. No shell runs it: use `/bin/sh` with `-c` for pipes. */
  readonly command: string;
  /**
   * Its arguments, each passed as it is.
   * @default - none
   */
  readonly args?: string[];
  /**
   * How long one run may take before it is killed and the connection fails.
   * @default Duration.seconds(30) (the server's default)
   */
  readonly timeout?: Duration;
}

/** A password command, checked. */
export interface ResolvedPasswordCommand {
  readonly command: string;
  readonly args: string[];
  /** Whole seconds, at least 1. */
  readonly timeoutSeconds: number;
}

/** Checks a password command: a command, string arguments, a timeout of at least a second, and no template braces. */
export function resolvePasswordCommand(owner: string, value: PasswordCommand): ResolvedPasswordCommand {
  if (typeof value !== 'object' || value === null) throw propError(owner, 'passwordCommand', value, 'an object with a command');
  const strings = [value.command, ...(value.args ?? [])];
  // The server and the tools' wrapper run it as written, with no shell to trim it: " /helpers/token" names no file.
  if (typeof value.command !== 'string' || value.command.trim() === '' || value.command.trim() !== value.command) {
    throw propError(owner, 'passwordCommand.command', value.command, 'the path of an executable, without surrounding whitespace');
  }
  if (value.args !== undefined && (!Array.isArray(value.args) || [...value.args].some((a) => typeof a !== 'string'))) {
    throw propError(owner, 'passwordCommand.args', value.args, 'a list of strings');
  }
  refuseCredentialsInArgs(owner, 'passwordCommand.args', value.args);
  // The server renders its config file as a Go template: "{{" there would be read as an action.
  const braces = strings.find((s) => s.includes('{{'));
  if (braces !== undefined) {
    throw propError(owner, 'passwordCommand', braces, 'a command and arguments without "{{"',
      'The server renders its config as a Go template; put the text in a script file and run that instead.');
  }
  const ms = value.timeout === undefined ? 30_000 : durationMillis(owner, 'passwordCommand.timeout', value.timeout);
  // The server reads the timeout as a Go duration: an infinite one would be written "Infinitys", which it refuses.
  if (ms === undefined || !(ms >= 1000) || Math.ceil(ms / 1000) > GO_MAX_DURATION_S) {
    throw propError(owner, 'passwordCommand.timeout', ms === undefined ? shownDuration(ms) : `${ms / 1000}s`,
      `at least one second and at most ${GO_MAX_DURATION_S}s (Go's longest duration, about 292 years)`);
  }
  return { command: value.command, args: [...(value.args ?? [])], timeoutSeconds: Math.ceil(ms / 1000) };
}

/*
 * The schema tools have no password command (temporal-sql-tool reads only --password or
 * SQL_PASSWORD), so a tool container runs the command itself first. Everything arrives as
 * positional arguments, never spliced into this text: the env var's name, the timeout, how many
 * words the password command has, the password command, then the tool's own command. The loop
 * keeps the first `count` words (a subshell cannot slice "$@" otherwise without eval); like the
 * server, only trailing newlines and carriage returns are removed from the output.
 */
const WRAPPER = [
  'set -u',
  SHELL_EXPAND,
  'env_name=$1; seconds=$2; count=$3; shift 3',
  'password=$(',
  '  total=$#; i=0',
  '  for word do',
  '    if [ "$i" -lt "$count" ]; then set -- "$@" "$word"; fi',
  '    i=$((i + 1))',
  '  done',
  '  shift "$total"',
  '  exec timeout "$seconds" "$@"',
  ') || { status=$?; echo "the password command ($1) failed with exit status $status" >&2; exit 1; }',
  'cr=$(printf "\\r")',
  'nl="',
  '"',
  'while :; do case "$password" in *"$cr"|*"$nl") expand_param password \'password%?\';; *) break;; esac; done',
  'shift "$count"',
  'export "$env_name=$password"',
  'exec "$@"',
].join('\n');

/**
 * Returns `container` so that it starts by running the password command and hands its output to
 * the container's own command in the env var `passwordEnv`. The container must give its command
 * in `command` (the images' entrypoints are not known here); any static value of `passwordEnv` is
 * dropped, since a password command replaces it.
 */
export function withPasswordCommand<T extends Pick<Container, 'name' | 'command' | 'args' | 'env'>>(container: T, passwordCommand: ResolvedPasswordCommand,
  passwordEnv: string): T {
  const original = [...(container.command ?? []), ...(container.args ?? [])];
  if (!container.command || container.command.length === 0) {
    throw new Error(`withPasswordCommand: container ${container.name} has no command to wrap`);
  }
  // The kubelet expands $$ and $(NAME) in a command; the server runs the words as they are.
  const pw = [passwordCommand.command, ...passwordCommand.args].map(kubeletLiteral);
  return {
    ...container,
    command: ['sh', '-c', WRAPPER, 'with-password-command', passwordEnv, String(passwordCommand.timeoutSeconds), String(pw.length), ...pw, ...original],
    args: undefined,
    env: container.env?.filter((e) => e.name !== passwordEnv),
  };
}
