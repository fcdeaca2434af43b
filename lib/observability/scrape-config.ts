import { Duration } from 'cdk8s';
import { promDuration, wholeSeconds } from './promql';
import { checkLabels, plainProps } from '../validation';

/** Which Prometheus Operator object scrapes the server pods. */
export enum ScrapeKind {
  /** No scrape object: Prometheus is configured elsewhere (or not at all). */
  NONE = 'none',
  /** A ServiceMonitor over the roles' headless Services. */
  SERVICE_MONITOR = 'ServiceMonitor',
  /** A PodMonitor over the server pods. */
  POD_MONITOR = 'PodMonitor',
}

/** Settings of a ServiceMonitor or PodMonitor. */
export interface MonitorOptions {
  /**
   * Scrape interval. From 5 seconds (each pod exposes thousands of histogram series) to 5 minutes
   * (Prometheus treats a series without a sample for 5 minutes as gone), in whole seconds.
   * @default - the Prometheus' own scrape interval
   */
  readonly interval?: Duration;
  /**
   * Labels of the monitor object. The Prometheus Operator picks monitors by label
   * (`serviceMonitorSelector` / `podMonitorSelector`), e.g. `{ release: 'prometheus' }` for
   * kube-prometheus-stack.
   * @default - the cluster's labels only
   */
  readonly labels?: Record<string, string>;
}

const OWNER = 'ScrapeConfig';
/** Prometheus' default scrape_timeout. */
const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 10;

/** How Prometheus finds the server pods' metrics endpoints. */
export class ScrapeConfig {
  /**
   * One ServiceMonitor selecting the roles' headless Services by the cluster's labels, scraping
   * their `metrics` port. Needs the Prometheus Operator's CRDs.
   */
  public static serviceMonitor(options: MonitorOptions = {}): ScrapeConfig {
    return new ScrapeConfig(ScrapeKind.SERVICE_MONITOR, options, 'ScrapeConfig.serviceMonitor');
  }

  /**
   * One PodMonitor selecting the server pods by the cluster's labels, scraping their `metrics`
   * port. Use it when Prometheus may not list Endpoints/EndpointSlices. Needs the Prometheus
   * Operator's CRDs.
   */
  public static podMonitor(options: MonitorOptions = {}): ScrapeConfig {
    return new ScrapeConfig(ScrapeKind.POD_MONITOR, options, 'ScrapeConfig.podMonitor');
  }

  /** No scrape object. Alerts and dashboard then need an explicit `seriesSelector`. */
  public static none(): ScrapeConfig {
    return new ScrapeConfig(ScrapeKind.NONE, {}, OWNER);
  }

  /** Scrape interval in seconds, when set. */
  public readonly intervalSeconds?: number;
  /** Labels of the monitor object. */
  public readonly labels: Record<string, string>;

  private constructor(public readonly kind: ScrapeKind, options: MonitorOptions, owner: string) {
    options = plainProps(owner, options, 'MonitorOptions', 'options');
    this.intervalSeconds = options.interval === undefined ? undefined : wholeSeconds(owner, 'interval', options.interval, 5, 300);
    this.labels = { ...checkLabels(owner, 'labels', options.labels) };
  }

  /** `interval` and `scrapeTimeout` of the monitor's endpoint, when an interval is set. */
  public get endpointTiming(): { interval?: string; scrapeTimeout?: string } {
    if (this.intervalSeconds === undefined) return {};
    // Prometheus refuses a config whose scrape timeout exceeds the interval, and its default
    // timeout is 10s, so a shorter interval brings its own timeout.
    const timeout = Math.min(this.intervalSeconds, DEFAULT_SCRAPE_TIMEOUT_SECONDS);
    return { interval: promDuration(Duration.seconds(this.intervalSeconds)), scrapeTimeout: promDuration(Duration.seconds(timeout)) };
  }
}
