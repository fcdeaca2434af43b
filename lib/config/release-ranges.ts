import { compareVersions } from '../versions';

/** Whether `release` falls in one of `ranges` (`1.31.0-1.32.2`, or one release such as `1.32.2`). */
export function inRanges(release: string, ranges: readonly string[]): boolean {
  return ranges.some((r) => {
    const [from, to = from] = r.split('-');
    return compareVersions(release, from) >= 0 && compareVersions(release, to) <= 0;
  });
}
