/*
 * The history-to-history replication streams of two clusters, as their history logs tell them.
 *
 * A standby's history opens one stream per shard to the active cluster's frontend, which hands it
 * to the active history; the active history then runs a StreamSender for that shard and peer. The
 * first sender of a shard and peer starts at the shard's current replication task, not at the
 * oldest one: Temporal 1.32 `service/history/replication/stream_sender.go`, sendCatchUp, begins at
 * the queue's high watermark when the shard holds no reader state for the peer, and the reader
 * state is saved only once the peer acknowledges what it received. So a workflow written before
 * the first stream of its shard reaches the standby only with its next event (the events it lacks
 * are then fetched from the active cluster), never by itself. Whether the standby's namespace is
 * there says nothing about these streams: namespaces travel by the standby's worker polling the
 * active frontend.
 */
import type { ClusterRunner } from './runner';

interface LogLine {
  readonly ts: number;
  readonly msg: string;
  readonly shard?: number;
  readonly peer?: string;
  readonly error?: string;
  readonly level?: string;
}

/** How the runner's marks begin, which it writes into a role's log when the process ended or starts again (runner.ts). */
const RESTART = '[e2e] ---- ';

function lines(log: string): LogLine[] {
  const out: LogLine[] = [];
  for (const text of log.split('\n')) {
    if (text.startsWith(RESTART)) out.push({ ts: NaN, msg: RESTART });
    if (!text.startsWith('{')) continue;
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      out.push({
        ts: Date.parse(String(j.ts)), msg: String(j.msg), level: j.level as string | undefined,
        shard: typeof j['shard-id'] === 'number' ? j['shard-id'] : undefined,
        peer: (j['xdc-target-cluster'] ?? j['xdc-source-cluster']) as string | undefined,
        error: j.error === undefined ? undefined : String(j.error),
      });
    } catch {
      // a line cut short by the process's end
    }
  }
  return out;
}

/**
 * The shards on which `history` (the log of the active cluster's history) runs a sender to
 * `peer` now, each with the time it started (ms since the epoch). A restarted process starts with
 * none: the streams of the one before ended with it, unlogged.
 */
export function openSenders(history: string, peer: string): Map<number, number> {
  const open = new Map<number, number>();
  for (const l of lines(history)) {
    if (l.msg === RESTART) open.clear();
    if (l.peer !== peer || l.shard === undefined) continue;
    if (l.msg === 'StreamSender started.') open.set(l.shard, l.ts);
    else if (l.msg === 'StreamSender stopped.') open.delete(l.shard);
  }
  return open;
}

/**
 * The senders, once the history of `history` (the log of the cluster whose tasks go out) has sent
 * to `peer` on every one of its `shards` for at least `settledMs` by `now` without the stream
 * stopping: long enough for the peer to acknowledge (it does so every second,
 * history.ReplicationStreamSyncStatusDuration), after which a stream that breaks resumes where it
 * was instead of at the shard's newest task. Undefined until then.
 */
export function settledSenders(history: string, peer: string, shards: number, now = Date.now(), settledMs = 3_000): Map<number, number> | undefined {
  const open = openSenders(history, peer);
  for (let shard = 1; shard <= shards; shard++) {
    const since = open.get(shard);
    if (since === undefined || now - since < settledMs) return undefined;
  }
  return shards > 0 ? open : undefined;
}

const REPLICATION = /^(Stream(Sender|Receiver) |ReplicationStreamError|ReplicationServiceError|Replication task send retry|AdminStreamReplicationMessages|Failed to get replication tasks|Error refreshing remote cluster metadata|No liveness signal|.*replication is not making progress)/;

/**
 * The replication lines of one role's log, one per second, message, peer and error, with the
 * shards they concern (eight shards would otherwise print each line eight times); a line seen more
 * than twice is printed once, where it first came, with its last time and count.
 */
export function replicationExcerpt(log: string, maxLines = 80): string[] {
  const groups = new Map<string, { time: string; shards: Set<number> }>();
  for (const l of lines(log)) {
    if (!REPLICATION.test(l.msg) && !/unknown cluster/.test(l.error ?? '')) continue;
    const time = new Date(l.ts).toISOString().slice(11, 19);
    const what = `${l.level ?? ''} ${l.msg}${l.peer ? ` [${l.peer}]` : ''}`;
    const group = groups.get(`${time} ${what}\t${l.error ?? ''}`) ?? { time, shards: new Set<number>() };
    if (l.shard !== undefined) group.shards.add(l.shard);
    groups.set(`${time} ${what}\t${l.error ?? ''}`, group);
  }
  // A stream that fails is retried every 2 s: its few lines come back, in turn, until it opens.
  const byText = new Map<string, { first: string; last: string; times: number }>();
  const order: Array<{ time: string; text: string }> = [];
  for (const [key, { time, shards }] of groups) {
    const [head, error] = key.split('\t');
    const text = `${head.slice(time.length + 1)}${shards.size ? ` shards ${[...shards].sort((a, b) => a - b).join(',')}` : ''}${error ? `: ${error.slice(0, 240)}` : ''}`;
    const seen = byText.get(text);
    if (seen) {
      seen.last = time;
      seen.times++;
    } else {
      byText.set(text, { first: time, last: time, times: 1 });
    }
    order.push({ time, text });
  }
  const text: string[] = [];
  for (const { time, text: line } of order) {
    const { first, last, times } = byText.get(line)!;
    if (times <= 2) text.push(`${time} ${line}`);
    else if (time === first) text.push(`${first} to ${last} (${times} times) ${line}`);
  }
  return text.length > maxLines ? [`(${text.length - maxLines} earlier lines left out)`, ...text.slice(-maxLines)] : text;
}

/** What each cluster's history, frontend and worker logged about replication, for a failed wait. */
export function replicationReport(clusters: Record<string, ClusterRunner>): string {
  const parts: string[] = [];
  for (const [name, runner] of Object.entries(clusters)) {
    for (const role of ['history', 'frontend', 'worker']) {
      const excerpt = replicationExcerpt(runner.log(role));
      parts.push(`${name} ${role}:${excerpt.length ? `\n  ${excerpt.join('\n  ')}` : ' (no replication lines)'}`);
    }
  }
  return parts.join('\n');
}
