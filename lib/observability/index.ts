// Only the public API: promql.ts also holds helpers the constructs share internally.
export { LabelMatcher, MatchOperator, LONG_POLL_OPERATIONS, TEMPORAL_CLUSTER_LABEL } from './promql';
export * from './scrape-config';
export * from './temporal-alerts';
export * from './temporal-dashboard';
export * from './temporal-monitoring';
