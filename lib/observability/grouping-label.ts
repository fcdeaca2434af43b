import { requireLabelName } from './promql';
import { propError } from '../validation';

/**
 * A label name the queries also group by (`sum by (<label>, ...)`): a Prometheus label name that
 * Prometheus' parser reads there as a label. It reads `without` as the keyword, and `inf` and `nan`
 * in any case as numbers ("unexpected number "inf" in grouping opts"), which refuses the whole rule
 * file; in a matcher they are plain labels.
 */
export function requireGroupingLabel(owner: string, prop: string, value: string): string {
  requireLabelName(owner, prop, value);
  if (/^(without|inf|nan)$/i.test(value)) {
    throw propError(owner, prop, value, 'a label name other than without, inf and nan (in any case)',
      'The alerts and dashboard group by it (sum by (...)), where Prometheus\' parser reads these as a keyword or a number and refuses the rule file; relabel the series to another name.');
  }
  return value;
}
