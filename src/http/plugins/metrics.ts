// Prometheus metrics of one instance, on a registry of its own so several apps can live in one process (tests).
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  submits: Counter<'platform' | 'action' | 'outcome'>;
  charges: Counter<'platform'>;
  refunds: Counter<'platform'>;
  refundedQuota: Counter<'platform'>;
  upstreamLatency: Histogram<'channel' | 'operation'>;
  upstreamErrors: Counter<'channel' | 'operation' | 'kind'>;
  pollLagSeconds: Gauge;
  leasesHeld: Gauge;
  redisUp: Gauge;
}

export function createMetrics(withDefaults = true): Metrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'taskgate_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'taskgate_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
    submits: new Counter({
      name: 'taskgate_submits_total',
      help: 'Task submissions by platform, action and outcome',
      labelNames: ['platform', 'action', 'outcome'],
      registers,
    }),
    charges: new Counter({
      name: 'taskgate_charged_quota_total',
      help: 'Quota charged',
      labelNames: ['platform'],
      registers,
    }),
    refunds: new Counter({
      name: 'taskgate_refunds_total',
      help: 'Refunds by platform',
      labelNames: ['platform'],
      registers,
    }),
    refundedQuota: new Counter({
      name: 'taskgate_refunded_quota_total',
      help: 'Quota refunded (same unit as taskgate_charged_quota_total)',
      labelNames: ['platform'],
      registers,
    }),
    upstreamLatency: new Histogram({
      name: 'taskgate_upstream_latency_seconds',
      help: 'Upstream call latency by channel',
      labelNames: ['channel', 'operation'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers,
    }),
    upstreamErrors: new Counter({
      name: 'taskgate_upstream_errors_total',
      help: 'Upstream call failures by channel: kind is status (a 5xx answer), timeout or transport',
      labelNames: ['channel', 'operation', 'kind'],
      registers,
    }),
    pollLagSeconds: new Gauge({
      name: 'taskgate_poll_lag_seconds',
      help: 'How long the oldest due task has waited past its poll time',
      registers,
    }),
    leasesHeld: new Gauge({
      name: 'taskgate_leases_held',
      help: 'Task leases this instance holds',
      registers,
    }),
    redisUp: new Gauge({
      name: 'taskgate_redis_up',
      help: '1 while this instance reaches Redis, 0 while it is down or not configured (see /readyz)',
      registers,
    }),
  };
}

export function registerMetrics(app: FastifyInstance): void {
  const { metrics } = app.ctx;
  // A callback hook, not an async one: it runs after every response and needs no promise.
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the raw URL, so ids do not explode the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: reply.statusCode });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
