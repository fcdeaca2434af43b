package main

// Prometheus documents how the metric names in the fixture appear on the
// server's Prometheus endpoint. It is hand-written from reading
// go.temporal.io/server@v1.31.2 (common/metrics/config.go,
// tally_metrics_handler.go, otel_metrics_handler.go,
// opentelemetry_provider.go), github.com/uber-go/tally/v4@v4.1.17/prometheus
// and go.opentelemetry.io/otel/exporters/prometheus@v0.56.0, and checked by
// scraping /metrics of the real v1.31.2 server binary (all four services in one
// process, sqlite in-memory persistence) after running workflows that
// completed, failed and timed out, with both frameworks. In v1.32.2 those
// files change only in ways that leave names and labels alone (a bounded tag
// cache in the tally handler, errors.Is in the Prometheus listener), with the
// same tally and OpenTelemetry exporter versions; the scrape was not repeated.
type Prometheus struct {
	Note          string       `json:"note"`
	Tally         Framework    `json:"tally"`
	Opentelemetry Framework    `json:"opentelemetry"`
	KeySeries     []KeySeries  `json:"keySeries"`
	OtherNames    []OtherNames `json:"otherNames"`
}

type Framework struct {
	Selected     string `json:"selected"`
	Counter      string `json:"counter"`
	Gauge        string `json:"gauge"`
	Timer        string `json:"timer"`
	Histogram    string `json:"histogram"`
	Labels       string `json:"labels"`
	TimerBuckets string `json:"timerBuckets"`
}

// KeySeries lists, for the default (tally) reporter, the series a metric
// produces and the label keys it carries, as observed on /metrics.
type KeySeries struct {
	Metric    string   `json:"metric"`
	Series    []string `json:"series"`
	Labels    []string `json:"labels"`
	EmittedBy string   `json:"emittedBy"`
	Comment   string   `json:"comment,omitempty"`
}

type OtherNames struct {
	Pattern string `json:"pattern"`
	Comment string `json:"comment"`
}

var (
	rpcLabels   = []string{"namespace", "operation", "service_name"}
	histSeries  = func(n string) []string { return []string{n + "_bucket", n + "_count", n + "_sum"} }
	pollLabels  = []string{"namespace", "namespace_state", "operation", "partition", "service_name", "task_type", "taskqueue", "worker_build_id", "worker_deployment_name", "worker_version"}
	wfEndLabels = []string{"namespace", "namespace_state", "operation", "service_name", "taskqueue", "workflowType"}
)

var prometheusNote = Prometheus{
	Note: "Names below are the metric names the server code uses. How they look on /metrics depends on " +
		"global.metrics.prometheus.framework: unset or \"tally\" selects the tally Prometheus reporter (the default, and what " +
		"a config with only global.metrics.prometheus.listenAddress gets); \"opentelemetry\" selects the OTel SDK with the OTel " +
		"Prometheus exporter. Temporal adds no job/instance/pod labels; Prometheus service discovery does. With the tally " +
		"reporter one metric name must always carry the same label keys (prometheus client_golang registry); the server " +
		"keeps them consistent per name.",
	Tally: Framework{
		Selected:     "global.metrics.prometheus.framework unset or \"tally\" (default; MetricsHandlerFromConfig in common/metrics/config.go only picks OTel for \"opentelemetry\")",
		Counter:      "<name> with TYPE counter, no _total suffix (e.g. service_requests, service_error_with_type)",
		Gauge:        "<name> with TYPE gauge",
		Timer:        "Prometheus histogram <name>_bucket{le}, <name>_sum, <name>_count in SECONDS (tally reports float64(d)/1e9). No unit suffix (service_latency_bucket, not service_latency_seconds_bucket). timerType is forced to \"histogram\" whatever global.metrics.prometheus.timerType says.",
		Histogram:    "Prometheus histogram <name>_bucket{le}, <name>_sum, <name>_count in the raw unit, no suffix: bytes histograms le=1024..16777216 (powers of 2), dimensionless le=1,2,5,10,...,100000",
		Labels:       "Label values are sanitized: every character outside [A-Za-z0-9_] becomes \"_\" (namespace \"my-ns\" -> \"my_ns\", taskqueue \"tq-1\" -> \"tq_1\", error_type \"serviceerror.NotFound\" -> \"serviceerror_NotFound\", build_version \"1.31.2\" -> \"1_31_2\"). Override with global.metrics.prometheus.sanitizeOptions.",
		TimerBuckets: "le=\"0.001\",\"0.002\",\"0.005\",\"0.01\",\"0.02\",\"0.05\",\"0.1\",\"0.2\",\"0.5\",\"1\",\"2\",\"5\",\"10\",\"20\",\"50\",\"100\",\"200\",\"500\",\"1000\",\"+Inf\" (global.metrics.perUnitHistogramBoundaries.milliseconds divided by 1000; overridable with prometheus.defaultHistogramBoundaries/defaultHistogramBuckets)",
	},
	Opentelemetry: Framework{
		Selected:     "global.metrics.prometheus.framework: \"opentelemetry\"",
		Counter:      "<name>_total (e.g. service_requests_total); global.metrics.withoutCounterSuffix: true drops _total",
		Gauge:        "<name> (no suffix)",
		Timer:        "<name>_milliseconds_bucket/_sum/_count in MILLISECONDS (le=\"1\",\"2\",\"5\",...,\"1e+06\"); with global.metrics.recordTimerInSeconds: true it is <name>_seconds_* in seconds. global.metrics.withoutUnitSuffix: true drops the unit suffix.",
		Histogram:    "bytes: <name>_bytes_bucket/_sum/_count; dimensionless: <name>_ratio_bucket/_sum/_count",
		Labels:       "Label values are not sanitized (namespace=\"my-ns\", error_type=\"serviceerror.NotFound\"). Every series also carries otel_scope_name=\"temporal\", otel_scope_version=\"\"; an extra target_info series is exported. global.metrics.prefix becomes a name prefix.",
		TimerBuckets: "le=\"1\",\"2\",\"5\",\"10\",...,\"1e+06\" milliseconds (global.metrics.perUnitHistogramBoundaries.milliseconds)",
	},
	KeySeries: []KeySeries{
		{Metric: "service_requests", Series: []string{"service_requests"}, Labels: rpcLabels, EmittedBy: "frontend, history, matching (gRPC telemetry interceptor, common/rpc/interceptor/telemetry.go)", Comment: "operation is the bare gRPC method name, e.g. StartWorkflowExecution, PollWorkflowTaskQueue; namespace is \"_unknown_\" for requests without one"},
		{Metric: "service_errors", Series: []string{"service_errors"}, Labels: rpcLabels, EmittedBy: "same interceptor (common/rpc/interceptor/request_error_handler.go)", Comment: "only UNEXPECTED errors (Unknown, DeadlineExceeded, Unavailable, Internal, non-namespace ResourceExhausted, ...); NotFound, InvalidArgument, AlreadyStarted etc. are not counted. Not seen in the verification run (no such errors); labels from source."},
		{Metric: "service_error_with_type", Series: []string{"service_error_with_type"}, Labels: []string{"error_type", "namespace", "operation", "service_name"}, EmittedBy: "same interceptor, for every error (expected or not)", Comment: "error_type e.g. serviceerror_NotFound, serviceerror_WorkflowExecutionAlreadyStarted, context_Canceled (tally-sanitized)"},
		{Metric: "service_errors_resource_exhausted", Series: []string{"service_errors_resource_exhausted"}, Labels: []string{"namespace", "operation", "resource_exhausted_cause", "resource_exhausted_scope", "service_name"}, EmittedBy: "same interceptor", Comment: "from source; not seen in the verification run. The other service_errors_* counters (entity_not_found, invalid_argument, context_timeout, ...) are only emitted by history replication, not by the RPC path."},
		{Metric: "service_latency", Series: histSeries("service_latency"), Labels: rpcLabels, EmittedBy: "frontend, history, matching (telemetry interceptor)", Comment: "long polls (Poll*TaskQueue) are included and sit near the long-poll timeout"},
		{Metric: "persistence_requests", Series: []string{"persistence_requests"}, Labels: rpcLabels, EmittedBy: "every service that talks to the DB (common/persistence/persistence_metric_clients.go); service_name=\"server\" for bootstrap calls", Comment: "namespace is the calling namespace (temporal_system, system, user namespaces)"},
		{Metric: "persistence_errors", Series: []string{"persistence_errors"}, Labels: rpcLabels, EmittedBy: "same", Comment: "only unexpected errors (NotFound, ConditionFailed, ShardOwnershipLost, Timeout, ResourceExhausted ... excluded); not seen in the verification run, labels from source"},
		{Metric: "persistence_error_with_type", Series: []string{"persistence_error_with_type"}, Labels: []string{"error_type", "namespace", "operation", "service_name"}, EmittedBy: "same, every error"},
		{Metric: "persistence_latency", Series: histSeries("persistence_latency"), Labels: rpcLabels, EmittedBy: "same"},
		{Metric: "workflow_success", Series: []string{"workflow_success"}, Labels: wfEndLabels, EmittedBy: "history (service/history/workflow/metrics.go)", Comment: "operation=\"CompletionStats\"; taskqueue is the task-queue family name when dynamic config metrics.breakdownByTaskQueue is true (default), else \"__omitted__\""},
		{Metric: "workflow_failed", Series: []string{"workflow_failed"}, Labels: wfEndLabels, EmittedBy: "history"},
		{Metric: "workflow_timeout", Series: []string{"workflow_timeout"}, Labels: wfEndLabels, EmittedBy: "history"},
		{Metric: "task_schedule_to_start_latency", Series: histSeries("task_schedule_to_start_latency"), Labels: []string{"namespace", "operation", "partition", "service_name", "task_type", "taskqueue"}, EmittedBy: "HISTORY, not matching (RecordActivityTaskStarted / RecordWorkflowTaskStarted APIs)", Comment: "service_name=\"history\", operation RecordActivityTaskStarted|RecordWorkflowTaskStarted, task_type Activity|Workflow, partition __normal__|__sticky__"},
		{Metric: "poll_success", Series: []string{"poll_success"}, Labels: pollLabels, EmittedBy: "matching (service/matching/matcher.go, pri_matcher.go)", Comment: "operation=\"TaskQueueMgr\"; partition \"0\",\"1\",... or \"__sticky__\"; worker_version \"__unversioned__\" for unversioned workers"},
		{Metric: "poll_success_sync", Series: []string{"poll_success_sync"}, Labels: pollLabels, EmittedBy: "matching"},
		{Metric: "poll_timeouts", Series: []string{"poll_timeouts"}, Labels: pollLabels, EmittedBy: "matching", Comment: "a long poll that returned empty (after matching.longPollExpirationInterval, default 1m); normal on idle queues"},
	},
	OtherNames: []OtherNames{
		{Pattern: "pri_<name>, fair_<name>", Comment: "matching's priority/fairness task-queue managers record every per-task-queue counter/timer/gauge twice: under <name> and under pri_<name> (or fair_<name>) with the same labels, e.g. pri_poll_success, pri_poll_timeouts. Not in this list; query the unprefixed names."},
		{Pattern: "build_information, build_age", Comment: "gauges from common/metrics/runtime.go (not New*Def); labels build_date, build_platform, build_version, git_revision, go_version, service_name"},
		{Pattern: "temporal_*", Comment: "Go SDK client/worker metrics of the server's internal worker service and SDK clients (temporal_request, temporal_request_latency, temporal_long_request, temporal_num_pollers, temporal_worker_task_slots_*, ...); not in this list"},
		{Pattern: "tally_internal_*", Comment: "tally reporter self-metrics (tally only)"},
		{Pattern: "target_info", Comment: "OTel exporter only"},
	},
}
