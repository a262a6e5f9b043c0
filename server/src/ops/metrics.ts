/** Prometheus metrics of one server instance (prom-client, own registry: several apps may run in one process). @module */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics the server records. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly latency: Histogram<'method' | 'route'>;
  readonly sealApplications: Counter<'result' | 'code'>;
  readonly keyStatus: Gauge<'seal' | 'status'>;
  readonly usageLogHead: Gauge;
}

/** Creates the metrics in a fresh registry (with Node process metrics when `processMetrics`). */
export function createMetrics(options: { readonly processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'govtrust_http_requests_total',
      help: 'HTTP requests by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'govtrust_http_request_duration_seconds',
      help: 'HTTP request latency by method and route template',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    sealApplications: new Counter({
      name: 'govtrust_seal_applications_total',
      help: 'Seal applications by result (sealed, refused, failed) and error code',
      labelNames: ['result', 'code'] as const,
      registers: [registry],
    }),
    keyStatus: new Gauge({
      name: 'govtrust_seal_key_usable',
      help: '1 when the seal key is usable, 0 otherwise, by seal id and seal status',
      labelNames: ['seal', 'status'] as const,
      registers: [registry],
    }),
    usageLogHead: new Gauge({
      name: 'govtrust_usage_log_entries',
      help: 'Sequence number of the last usage log (用印记录) entry',
      registers: [registry],
    }),
  };
}
