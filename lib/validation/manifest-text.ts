import { stringifyEntry } from '../yaml-scalar';
import { goYamlReadsAsNonString } from './go-yaml-scalar';

/*
 * Text that kubectl does not read back as written. cdk8s writes every string of a manifest with the
 * `yaml` package; kubectl, Argo CD and Flux read manifests with sigs.k8s.io/yaml (go-yaml v2), which
 * differs from it in three ways, checked for every code point and for generated multi-line text with
 * the real kubectl (test/kube/manifest-text.kube.test.ts):
 *  - DEL, the C1 controls (U+0080-U+009F), U+2028, U+2029, U+FFFE and U+FFFF are written raw. The
 *    reader refuses the whole file for all of them ("control characters are not allowed") but three:
 *    NEL (U+0085), LS and PS, which it reads as a line break and folds into a space. An unpaired
 *    surrogate cannot be written as UTF-8 at all: it reaches the file as U+FFFD.
 *  - A multi-line string is written as a block literal, whose indentation the reader works out from
 *    its first lines when the writer gives no indentation indicator. A first non-blank line that
 *    starts with a tab makes it refuse the file ("found a tab character where an indentation space
 *    is expected"); blank lines holding more spaces than the first line of text make it lose those
 *    spaces or end the block early.
 *  - A string that go-yaml (v2, or v3 in kustomize's kyaml, which Flux uses) reads as a number although
 *    YAML 1.1 does not (lib/validation/go-yaml-scalar.ts) is written without quotes: kubectl reads
 *    "0o644" as 420, and refuses it where text belongs. The block and character rules above hold
 *    for go-yaml v3 as well (checked with gopkg.in/yaml.v3 v3.0.1 when they were written).
 * One such string in one annotation makes `kubectl apply -f` refuse every object of the file, or
 * apply a value other than the one in the props, so the props refuse it at the constructor.
 */
const UNREADABLE_CHARACTER = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `text` with each character kubectl cannot read written as \uXXXX, for a message that names it. */
export function escapeUnreadable(text: string): string {
  return text.replace(new RegExp(UNREADABLE_CHARACTER.source, 'g'), (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** What kubectl would refuse or change in `text` as cdk8s writes it, and what to do; undefined when it reads it back unchanged. */
export interface ManifestTextProblem {
  readonly problem: string;
  readonly remedy: string;
}

/** Why kubectl would refuse or change `text` as cdk8s writes it, or undefined when it reads it back unchanged. */
export function manifestTextProblem(text: string): ManifestTextProblem | undefined {
  const bad = UNREADABLE_CHARACTER.exec(text);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    const what = code >= 'D800' && code <= 'DFFF' ? 'an unpaired surrogate' : code === '0085' || code === '2028' || code === '2029' ? 'a line break to YAML' : 'a control character or non-character';
    return {
      problem: `U+${code} (${what}) at character ${bad.index + 1} of ${text.length}, which kubectl's YAML reader refuses or reads as another character`,
      remedy: 'Remove the character; give binary data as a Secret or base64.',
    };
  }
  if (text.includes('\n')) return blockProblem(text);
  if ((goYamlReadsAsNonString(text, 2) || goYamlReadsAsNonString(text, 3)) && stringifyEntry('a', text) === `a: ${text}\n`) {
    return {
      problem: 'text that cdk8s writes without quotes and the YAML readers of kubectl, Argo CD and Flux (go-yaml, which reads 0o17, 0X1F, 0B101 or 1e_0 as numbers) '
        + 'read as a number or another non-string value',
      remedy: 'Write the number another way (0644 rather than 0o644, decimal rather than 0X or 0B), or add a character that makes it no number.',
    };
  }
  return undefined;
}

/** The problem of `text` as a block scalar, reading the writer's own output the way go-yaml v2 reads it. */
function blockProblem(text: string): ManifestTextProblem | undefined {
  const written = stringifyEntry('a', text);
  const headerEnd = written.indexOf('\n');
  const header = written.slice(3, headerEnd);
  // Quoted styles escape what they must; an explicit indentation indicator leaves nothing to work out.
  if (!/^[|>][+-]?$/.test(header)) return undefined;
  const lines = written.slice(headerEnd + 1, -1).split('\n');
  let widestBlank = 0;
  for (const line of lines) {
    const spaces = /^ */.exec(line)![0].length;
    const rest = line.slice(spaces);
    if (rest.startsWith('\t')) {
      return {
        problem: 'multi-line text whose first line that is not blank starts with a tab, which kubectl\'s YAML reader refuses in the block cdk8s writes',
        remedy: 'Indent that line with spaces, or begin the text with a line that does not start with a tab.',
      };
    }
    if (rest.length === 0) {
      widestBlank = Math.max(widestBlank, spaces);
      continue;
    }
    return widestBlank > spaces ? BLANK_PROBLEM : undefined;
  }
  return widestBlank > 2 ? BLANK_PROBLEM : undefined;
}

const BLANK_PROBLEM: ManifestTextProblem = {
  problem: 'multi-line text whose blank lines before the first line of text hold spaces, which kubectl\'s YAML reader drops',
  remedy: 'Leave the spaces out of the blank lines.',
};
