import { Duration } from 'cdk8s';

/** Formats a Duration the way Go's time.Duration prints it (`1h30m`, `10s`, `500ms`). */
export function goDuration(duration: Duration): string {
  const totalMs = duration.toMilliseconds();
  if (totalMs === 0) return '0s';
  if (totalMs % 1000 !== 0) return `${totalMs}ms`;
  let seconds = totalMs / 1000;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds ? `${seconds}s` : ''}`;
}
