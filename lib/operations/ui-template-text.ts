import { goYamlReadsAsNonString, propError } from '../validation';

/*
 * The UI image renders its config file from a template that writes each env value into YAML as it
 * is, unquoted (temporalio/ui server/docker/config-template.yaml: `clientId: {{ .Env.TEMPORAL_AUTH_CLIENT_ID }}`,
 * and each scope as a list item `- {{ . }}`), and the UI server then reads that YAML with go-yaml.
 * A value the YAML reads as something else breaks or changes the UI's config with no error at
 * synth: a client id `1234` or `true` is no string, one with `: ` or ` #` is cut or makes the file
 * invalid, one starting with `*`, `&`, `!`, `[` or a quote is another YAML construct. So every
 * literal the library hands the template is one that YAML reads back as exactly that text.
 */
const INDICATOR_START = /^([&*!|>'"%@`{}[\],#]|[-?:](\s|$))/;

/** Why `text`, written unquoted after `key: ` or `- `, would not read back as itself, or undefined when it would. */
export function uiTemplateTextProblem(text: string): string | undefined {
  if (/[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]/.test(text)) return 'it holds a line break or another control character';
  if (text.trim() !== text) return 'it starts or ends with white space, which YAML drops';
  if (INDICATOR_START.test(text)) return `it starts with "${text[0]}", which YAML reads as syntax`;
  if (/: |:$| #/.test(text)) return 'it holds ": ", ends in ":" or holds " #", which YAML reads as a key or a comment';
  if (goYamlReadsAsNonString(text, 2) || goYamlReadsAsNonString(text, 3)) return 'YAML reads it as a number, a boolean or null, not as text';
  return undefined;
}

/** `value`, when the UI's config template would read it back as written; else an error naming `prop`. */
export function requireUiTemplateText(owner: string, prop: string, value: string): string {
  const problem = uiTemplateTextProblem(value);
  if (problem) {
    throw propError(owner, prop, value, 'text the UI\'s config template reads back as written',
      `The UI writes it unquoted into its YAML config, and ${problem}. Use the value the provider gives without such characters; a client id or namespace of digits only cannot be read by this UI release.`);
  }
  return value;
}
