// The replication test's reading of the history logs (test/e2e/replication-streams.ts), checked
// offline: it decides when the test may start the workflow it expects on the standby.
import * as fc from 'fast-check';
import { openSenders, replicationExcerpt, settledSenders } from './e2e/replication-streams';

const T0 = Date.parse('2026-12-07T13:04:22.000Z');

/** One line as the 1.32 server writes it (service/history/replication/stream_sender.go). */
function sender(event: 'started' | 'stopped', shard: number, peer: string, at: number): string {
  return JSON.stringify({
    level: 'info', ts: new Date(at).toISOString(), msg: `StreamSender ${event}.`, 'shard-id': shard,
    address: '127.192.1.12:7234', 'xdc-target-cluster': peer, 'xdc-target-shard-id': shard, operation: 'replication-stream-sender',
  });
}

function receiver(event: 'started' | 'shutting down', shard: number, peer: string, at: number): string {
  return JSON.stringify({ level: 'info', ts: new Date(at).toISOString(), msg: `StreamReceiver ${event}.`, 'xdc-source-cluster': peer, 'shard-id': shard });
}

const everyShard = (n: number, line: (shard: number) => string): string[] => Array.from({ length: n }, (_, i) => line(i + 1));

describe('settledSenders', () => {
  const open = [...everyShard(8, (s) => sender('started', s, 'west', T0)), '{"level":"info","ts":"2026-12-07T13:'].join('\n');

  it('holds once every shard has sent to the peer for the settling time', () => {
    expect([...settledSenders(open, 'west', 8, T0 + 3_000)!.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('fails when the streams opened less than the settling time ago: the peer has not acknowledged yet', () => {
    expect(settledSenders(open, 'west', 8, T0 + 2_999)).toBeUndefined();
  });

  it('fails when one shard has no sender, or its sender stopped since', () => {
    const seven = everyShard(7, (s) => sender('started', s, 'west', T0)).join('\n');
    expect(settledSenders(seven, 'west', 8, T0 + 60_000)).toBeUndefined();
    expect(settledSenders(`${open}\n${sender('stopped', 5, 'west', T0 + 1_000)}`, 'west', 8, T0 + 60_000)).toBeUndefined();
    // Started again later: it counts from the new start.
    const again = `${open}\n${sender('stopped', 5, 'west', T0 + 1_000)}\n${sender('started', 5, 'west', T0 + 10_000)}`;
    expect(settledSenders(again, 'west', 8, T0 + 12_000)).toBeUndefined();
    expect(settledSenders(again, 'west', 8, T0 + 13_000)?.get(5)).toBe(T0 + 10_000);
  });

  it('fails when the history process was started again since: its streams ended with the process before', () => {
    const restarted = `${open}\n\n[e2e] ---- restarting history ----\n${sender('started', 1, 'west', T0 + 5_000)}`;
    expect(settledSenders(restarted, 'west', 8, T0 + 60_000)).toBeUndefined();
    expect(openSenders(restarted, 'west')).toEqual(new Map([[1, T0 + 5_000]]));
    const ended = `${open}\n\n[e2e] ---- temporal-east-history ended (exit code 1); starting it again in 1 s ----\n`;
    expect(openSenders(ended, 'west').size).toBe(0);
  });

  it('fails when the senders are to another cluster, or the lines are receivers\'', () => {
    expect(settledSenders(open, 'south', 8, T0 + 60_000)).toBeUndefined();
    const receivers = everyShard(8, (s) => receiver('started', s, 'west', T0)).join('\n');
    expect(settledSenders(receivers, 'west', 8, T0 + 60_000)).toBeUndefined();
  });

  it('fails when the shard count is unknown (0): no shard is no proof', () => {
    expect(settledSenders(open, 'west', 0, T0 + 60_000)).toBeUndefined();
  });

  it('open senders are the shards whose last sender line is a start, whatever the order of the lines', () => {
    const events = fc.array(fc.record({ shard: fc.integer({ min: 1, max: 8 }), started: fc.boolean(), peer: fc.constantFrom('west', 'east') }), { maxLength: 40 });
    fc.assert(fc.property(events, (list) => {
      const log = list.map((e, i) => sender(e.started ? 'started' : 'stopped', e.shard, e.peer, T0 + i)).join('\n');
      const expected = new Map<number, number>();
      list.forEach((e, i) => {
        if (e.peer !== 'west') return;
        if (e.started) expected.set(e.shard, T0 + i);
        else expected.delete(e.shard);
      });
      expect(openSenders(log, 'west')).toEqual(expected);
    }));
  });
});

describe('replicationExcerpt', () => {
  it('prints one line per second and message for all shards, and a retried line once with its span and count', () => {
    const retried = [0, 2_000, 4_000].flatMap((d) => everyShard(8, (s) => JSON.stringify({
      level: 'error', ts: new Date(T0 + d).toISOString(), msg: 'service failures', error: 'rpc error: code = Internal desc = unknown cluster ID: 2', 'shard-id': s,
    })));
    const log = [...retried, ...everyShard(8, (s) => sender('started', s, 'west', T0 + 5_000)), JSON.stringify({ level: 'info', ts: new Date(T0).toISOString(), msg: 'Quota changed' })].join('\n');
    expect(replicationExcerpt(log)).toEqual([
      '13:04:22 to 13:04:26 (3 times) error service failures shards 1,2,3,4,5,6,7,8: rpc error: code = Internal desc = unknown cluster ID: 2',
      '13:04:27 info StreamSender started. [west] shards 1,2,3,4,5,6,7,8',
    ]);
  });

  it('keeps the last lines when there are more than asked for', () => {
    const log = Array.from({ length: 5 }, (_, i) => sender('started', 1, `peer${i}`, T0 + i * 1_000)).join('\n');
    expect(replicationExcerpt(log, 2)).toEqual([
      '(3 earlier lines left out)',
      '13:04:25 info StreamSender started. [peer3] shards 1',
      '13:04:26 info StreamSender started. [peer4] shards 1',
    ]);
  });
});
