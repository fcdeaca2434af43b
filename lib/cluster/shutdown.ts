import { Duration } from 'cdk8s';
import { ShutdownOptions } from './shutdown-options';
import { DynamicConfig, DynamicConfigValue } from '../config/dynamic-config';
import { sameKey, valuesOfKeys } from '../config/dynamic-config-lookup';
import { goDuration, serverDurationNs } from '../config/go-duration';
import { ownValidation } from '../own-validation';
import { propError, requireDurationSeconds } from '../validation';

/** The roles' graceful shutdown, as dynamic config values and the pods' grace periods. */
export interface FrontendShutdown {
  readonly failHealthCheckDuration: Duration;
  readonly drainDuration: Duration;
  readonly historyDrainDuration: Duration;
  readonly matchingDrainDuration: Duration;
  readonly historyMembershipAlignment: Duration;
  /** Seconds a frontend pod gets to fail its health check, drain and exit. */
  readonly terminationGracePeriodSeconds: number;
  /**
   * Seconds a history pod gets to drain and exit, given the values of the cluster's dynamic config:
   * read at synth, as cluster.dynamicConfig.add() may set the shard linger or finalizer after the cluster is built.
   */
  readonly historyTerminationGracePeriodSeconds: (values: readonly DynamicConfigValue[]) => number;
  /** Seconds a matching pod gets to drain and exit, given the values of the cluster's dynamic config (its own `matching.alignMembershipChange`). */
  readonly matchingTerminationGracePeriodSeconds: (values: readonly DynamicConfigValue[]) => number;
  /** Refuses, at synth, membership alignments the server would not honour with the dynamic config's propagation time. Returns `dynamicConfig`. */
  readonly guard: (dynamicConfig: DynamicConfig) => DynamicConfig;
  /** The `frontend.shutdown*`, `history.shutdownDrainDuration`, `history.alignMembershipChange` and `matching.shutdownDrainDuration` dynamic config values. */
  readonly dynamicConfig: DynamicConfigValue[];
}

/** Slack after the drain for the process to exit before the kubelet's SIGKILL. */
const EXIT_SLACK_SECONDS = 15;
/** The grace period of a role whose drain needs less: the Kubernetes default is 30 s; history and matching close shards and queues after it. */
const MIN_GRACE_SECONDS = 60;
/** The dynamic config keys the library sets from the shutdown prop, and the prop of each. */
const OWNED_KEYS: Record<string, keyof ShutdownOptions> = {
  'frontend.shutdownFailHealthCheckDuration': 'failHealthCheckDuration',
  'frontend.shutdownDrainDuration': 'drainDuration',
  'history.shutdownDrainDuration': 'historyDrainDuration',
  'matching.shutdownDrainDuration': 'matchingDrainDuration',
  'history.alignMembershipChange': 'historyMembershipAlignment',
};
const GRACE = 'which also sizes the pods\' termination grace periods';
/*
 * A history pod stopping under an alignment waits for the aligned time (at most the alignment after
 * the ring's propagation time, 3 s), then leaves after the propagation time again (with 20% jitter)
 * and waits it out once more, then history.shardLingerTimeLimit and history.shardFinalizerTimeout
 * (service/history Stop, 1.30 to 1.32), then the gRPC server's stop (2 s): alignment + 12 s + linger
 * + finalizer at most, ceil(3.2 × propagation) + 2 s in general. Matching waits the same way for its
 * own matching.alignMembershipChange, or its drain if longer, then stops its gRPC server (2 s).
 */
const GRPC_STOP_SECONDS = 2;
/** The server's system.ringpopApproximateMaxPropagationTime, which a value of the dynamic config replaces. */
const PROPAGATION_KEY = 'system.ringpopApproximateMaxPropagationTime';
const PROPAGATION_SECONDS = 3;
/** Matching's alignment, which the library leaves to the dynamic config (the server's default is 0). */
const MATCHING_ALIGNMENT_KEY = 'matching.alignMembershipChange';
/**
 * The ringpop monitor schedules a leave or a join only when its aligned time is less than this far
 * off (maxScheduledEventTimeSeconds, common/membership/ringpop/monitor.go, 1.30 to 1.32); a later one
 * it makes at once, unaligned, and a history pod then drains for history.shutdownDrainDuration
 * instead. The aligned time is up to alignment + propagation time away.
 */
const SCHEDULED_CHANGE_LIMIT_SECONDS = 15;
/**
 * Each role's stop is cut after 5 minutes (serviceStopTimeout, temporal/server.go, 1.30 to 1.32), and
 * the process exits: a drain past it is cut short.
 */
const SERVER_STOP_LIMIT_SECONDS = 300;
/** The keys the aligned stop sleeps for besides the alignment, with the server's defaults in seconds. */
const ALIGNED_STOP_KEYS: Record<string, number> = { 'history.shardLingerTimeLimit': 0, 'history.shardFinalizerTimeout': 2 };

/** The largest value of `key` the server reads, in seconds, or `fallback` where none is set or readable (the server keeps its default then). */
function largestSeconds(values: readonly DynamicConfigValue[], key: string, fallback: number): number {
  const read = valuesOfKeys(values, key).map((v) => serverDurationNs(v.value)).filter((ns): ns is bigint => ns !== undefined);
  return read.length ? Math.max(...read.map((ns) => Number(ns) / 1e9)) : fallback;
}

/** Seconds from an aligned stop's start to its gRPC server's end: the wait for the aligned time, the leave, its propagation and the gRPC stop. */
function alignedStopSeconds(alignment: number, values: readonly DynamicConfigValue[]): number {
  return alignment + Math.ceil(3.2 * largestSeconds(values, PROPAGATION_KEY, PROPAGATION_SECONDS)) + GRPC_STOP_SECONDS;
}

/**
 * Seconds of the aligned stop the user's dynamic config adds: each key's largest value as the server
 * reads it, or its default where none is set or the server cannot read it (it keeps the default then).
 */
function alignedStopOverheadSeconds(values: readonly DynamicConfigValue[]): number {
  return Object.entries(ALIGNED_STOP_KEYS).reduce((sum, [key, fallback]) => {
    const read = valuesOfKeys(values, key).map((v) => serverDurationNs(v.value)).filter((ns): ns is bigint => ns !== undefined);
    // A negative value shortens the stop; counting it as 0 only lengthens the grace.
    return sum + (read.length ? Math.max(0, ...read.map((ns) => Number(ns) / 1e9)) : fallback);
  }, 0);
}

/** `userValues`: the values of the cluster's dynamicConfig prop, which may not set the keys the library sets from `shutdown`. */
export function frontendShutdown(owner: string, shutdown: ShutdownOptions | undefined, userValues: DynamicConfigValue[]): FrontendShutdown {
  // The server compares keys lower-cased, so an unchecked value in another case sets the same key.
  const [v] = valuesOfKeys(userValues, ...Object.keys(OWNED_KEYS));
  if (v) {
    const owned = Object.keys(OWNED_KEYS).find((k) => sameKey(k, v.key))!;
    throw propError(owner, `dynamicConfig value ${v.key}`, v.value, `no value here: the library sets ${owned} from shutdown.${OWNED_KEYS[owned]}`,
      `Set shutdown.${OWNED_KEYS[owned]} instead, ${GRACE}.`);
  }
  const failHealthCheckDuration = shutdown?.failHealthCheckDuration ?? Duration.seconds(10);
  const drainDuration = shutdown?.drainDuration ?? Duration.seconds(30);
  // The server's default for both is 0: a stopping pod leaves the ring and lets go of its shards or
  // task queues at once, before its peers have heard it left, and the requests in between stall
  // (the soak measured it: README, Reliability under load).
  const historyDrainDuration = shutdown?.historyDrainDuration ?? Duration.seconds(10);
  const matchingDrainDuration = shutdown?.matchingDrainDuration ?? Duration.seconds(10);
  // The server's default is 0: each history and frontend pod learns of a ring change by gossip, up to
  // hundreds of ms apart. One that has not learned yet re-creates a shard its new owner has just
  // taken and drops it, unacquired, when it learns; a shard dropped so never hands its engine to the
  // requests waiting for it, which wait out the frontend's 30 s call to history and fail with
  // DEADLINE_EXCEEDED (the short soak's one failed start in a rolling restart; README, Reliability
  // under load). Aligned, every pod switches rings in the same instant.
  // A drain given explicitly keeps the server's unaligned stop, the one the drain applies to.
  const historyMembershipAlignment = shutdown?.historyMembershipAlignment ?? (shutdown?.historyDrainDuration !== undefined ? Duration.seconds(0) : Duration.seconds(10));
  const fail = requireDurationSeconds(owner, 'shutdown.failHealthCheckDuration', failHealthCheckDuration, 0, SERVER_STOP_LIMIT_SECONDS);
  const drain = requireDurationSeconds(owner, 'shutdown.drainDuration', drainDuration, 0, SERVER_STOP_LIMIT_SECONDS);
  const historyDrain = requireDurationSeconds(owner, 'shutdown.historyDrainDuration', historyDrainDuration, 0, SERVER_STOP_LIMIT_SECONDS);
  const matchingDrain = requireDurationSeconds(owner, 'shutdown.matchingDrainDuration', matchingDrainDuration, 0, SERVER_STOP_LIMIT_SECONDS);
  // The frontend drains for at least 1 s (requestDrainTime); history and matching stop their gRPC server for up to 2 s after theirs.
  const stopLimit = (prop: keyof ShutdownOptions, seconds: number, after: number, what: string) => {
    if (seconds + after <= SERVER_STOP_LIMIT_SECONDS) return;
    throw propError(owner, `shutdown.${prop}`, `${seconds}s`, `at most ${SERVER_STOP_LIMIT_SECONDS - after}s${what}`,
      `The server cuts each role's stop after ${SERVER_STOP_LIMIT_SECONDS / 60} minutes (its serviceStopTimeout) and exits, so the rest of the drain would never happen, `
      + 'though the grace period waited for it. Shorten it.');
  };
  stopLimit('failHealthCheckDuration', fail, 1, ': the frontend then drains for at least 1s');
  stopLimit('drainDuration', drain, fail, ` with shutdown.failHealthCheckDuration at ${fail}s before it`);
  stopLimit('historyDrainDuration', historyDrain, GRPC_STOP_SECONDS, `: history then stops its gRPC server for up to ${GRPC_STOP_SECONDS}s`);
  stopLimit('matchingDrainDuration', matchingDrain, GRPC_STOP_SECONDS, `: matching then stops its gRPC server for up to ${GRPC_STOP_SECONDS}s`);
  const alignment = requireDurationSeconds(owner, 'shutdown.historyMembershipAlignment', historyMembershipAlignment);
  const alignmentErrors = (values: readonly DynamicConfigValue[]) => {
    const propagation = largestSeconds(values, PROPAGATION_KEY, PROPAGATION_SECONDS);
    const given = propagation === PROPAGATION_SECONDS ? '' : ` with dynamicConfig ${PROPAGATION_KEY} at ${propagation}s`;
    // The longest alignment honoured is under 15 s less the propagation time: none at all from 15 s of propagation on.
    const room = Math.round((SCHEDULED_CHANGE_LIMIT_SECONDS - propagation) * 1000) / 1000;
    const refuse = (prop: string, value: unknown, role: string) => propError(owner, prop, value, room > 0 ? `less than ${room}s${given}` : `0 (no alignment)${given}`,
      `The server schedules an aligned membership change only when it is less than ${SCHEDULED_CHANGE_LIMIT_SECONDS}s away (maxScheduledEventTimeSeconds), and it can be `
      + `the alignment plus the ring's propagation time (${propagation}s) away: past that a stopping ${role} pod leaves the ring at once, unaligned, and a starting one joins at once. `
      + (room > 0 ? `Use less than ${room}s, or 0 for no alignment.` : `Set it to 0 for no alignment, or lower ${PROPAGATION_KEY} below ${SCHEDULED_CHANGE_LIMIT_SECONDS}s.`));
    return [
      ...(alignment > 0 && alignment + propagation >= SCHEDULED_CHANGE_LIMIT_SECONDS ? [refuse('shutdown.historyMembershipAlignment', `${alignment}s`, 'history')] : []),
      ...valuesOfKeys(values, MATCHING_ALIGNMENT_KEY).filter((v) => {
        const ns = serverDurationNs(v.value);
        return ns !== undefined && ns > 0n && Number(ns) / 1e9 + propagation >= SCHEDULED_CHANGE_LIMIT_SECONDS;
      }).map((v) => refuse(`dynamicConfig ${v.key}`, v.value, 'matching')),
    ];
  };
  const [early] = alignmentErrors([]);
  if (early) throw early;
  if (alignment > 0 && shutdown?.historyDrainDuration !== undefined) {
    throw propError(owner, 'shutdown.historyDrainDuration', goDuration(historyDrainDuration), 'no value while shutdown.historyMembershipAlignment is not 0',
      `With an alignment (${goDuration(historyMembershipAlignment)}) the server ignores the drain: a stopping history pod keeps its shards until the aligned time instead. `
      + 'Drop historyDrainDuration, or set historyMembershipAlignment to Duration.seconds(0) to drain instead.');
  }
  // Seconds, not a Duration: a fractional stop (a 1500ms shard finalizer) makes Duration.toSeconds() throw at synth.
  const grace = (stopSeconds: number) => Math.max(MIN_GRACE_SECONDS, Math.ceil(stopSeconds) + EXIT_SLACK_SECONDS);
  return {
    failHealthCheckDuration,
    drainDuration,
    historyDrainDuration,
    matchingDrainDuration,
    historyMembershipAlignment,
    // The kubelet must not kill a frontend before it has failed its health check and drained.
    terminationGracePeriodSeconds: Math.ceil(failHealthCheckDuration.toSeconds() + drainDuration.toSeconds()) + EXIT_SLACK_SECONDS,
    historyTerminationGracePeriodSeconds: (values) => (alignment > 0
      ? grace(alignedStopSeconds(alignment, values) + alignedStopOverheadSeconds(values)) : grace(historyDrain)),
    matchingTerminationGracePeriodSeconds: (values) => {
      const matchingAlignment = largestSeconds(values, MATCHING_ALIGNMENT_KEY, 0);
      return grace(Math.max(matchingDrain, matchingAlignment > 0 ? alignedStopSeconds(matchingAlignment, values) : 0));
    },
    guard: (dynamicConfig) => {
      dynamicConfig.node.addValidation(ownValidation({ validate: () => alignmentErrors(dynamicConfig.valuesOf()).map((e) => e.message) }));
      return dynamicConfig;
    },
    dynamicConfig: Object.entries(OWNED_KEYS).map(([key, prop]) => {
      const given = shutdown?.[prop] !== undefined;
      const value = DynamicConfigValue.of(key, goDuration({ failHealthCheckDuration, drainDuration, historyDrainDuration, matchingDrainDuration, historyMembershipAlignment }[prop]));
      value._setBy = `${owner} set it itself, from shutdown.${prop}${given ? '' : ' (its default)'}. Set shutdown.${prop} instead, ${GRACE}; `
        + 'cluster.dynamicConfig.add() cannot change a value already set.';
      return value;
    }),
  };
}
