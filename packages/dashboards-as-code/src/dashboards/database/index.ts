// Database: query latency and pools seen by the services, caches, and PostgreSQL itself
// (postgres_exporter): connections, buffer cache, long transactions, locks and deadlocks.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { by, catalog, histogramSelector, selector } from '@beacon/metric-catalog';
import {
  inScope,
  newDashboard,
  rate,
  row,
  statPanel,
  THRESHOLDS,
  timeseriesPanel,
  UNIT,
} from '../../common';

export const UID = 'beacon-database';

const { dbQueryDuration, dbPoolConnections, cacheHits, cacheMisses } = catalog.platform;
const pg = catalog.postgresExporter;

// A PostgreSQL server is its postgres_exporter target (job, instance). Databases of the same name
// live on many servers (each service's own server has its `app`), so a per-database panel groups
// by the server too: `by (datname)` alone added two servers' `app` into one line.
const SERVER = ['job', 'instance'] as const;
const SERVER_LEGEND = '{{instance}}';

function servicesRow(d: dashboard.DashboardBuilder): void {
  const buckets = histogramSelector(dbQueryDuration, 'bucket', inScope);
  const q = (quantile: number) =>
    `histogram_quantile(${quantile}, sum ${by(dbQueryDuration, ['service', 'operation', 'le'])} (${rate(buckets)}))`;
  // A counter series appears at its first increment: a cache that never hit has no hits series,
  // one that never missed no misses series, and the ratio would match nothing (no line) where it
  // is 0 or 1. Each side stands in as 0 for the other's caches.
  const hitRate = `sum ${by(cacheHits, ['service', 'cache'])} (${rate(selector(cacheHits, inScope))})`;
  const missRate = `sum ${by(cacheMisses, ['service', 'cache'])} (${rate(selector(cacheMisses, inScope))})`;
  const hits = `(${hitRate} or 0 * ${missRate})`;
  const misses = `(${missRate} or 0 * ${hitRate})`;
  d.withRow(row('Seen by the services'))
    .withPanel(
      timeseriesPanel({
        title: 'Query duration p95 by operation',
        description:
          '95th percentile database query latency per service and operation. Red above 500 ms.',
        unit: UNIT.seconds,
        width: 8,
        thresholds: THRESHOLDS.latencyP95,
        queries: [{ expr: q(0.95), legend: '{{service}} {{operation}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Pool connections by state',
        description: 'Database pool connections per service, idle, in use and the pool maximum.',
        unit: UNIT.count,
        width: 8,
        queries: [
          {
            expr: `sum ${by(dbPoolConnections, ['service', 'state'])} (${selector(dbPoolConnections, inScope)})`,
            legend: '{{service}} {{state}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Cache hit ratio',
        description: 'Share of cache lookups that found the key, per service and cache.',
        unit: UNIT.ratio,
        width: 8,
        min: 0,
        max: 1,
        queries: [
          {
            expr: `${hits} / (${hits} + ${misses})`,
            legend: '{{service}} {{cache}}',
          },
        ],
      }),
    );
}

function postgresRow(d: dashboard.DashboardBuilder): void {
  const perDb = by(pg.blocksHit, [...SERVER, 'datname']);
  const perServer = by(pg.backends, SERVER);
  d.withRow(row('PostgreSQL'))
    .withPanel(
      statPanel({
        title: 'PostgreSQL up',
        description:
          'Whether postgres_exporter reaches every server: 1 when all are up, 0 when any is down (the lowest pg_up of all servers).',
        unit: UNIT.count,
        thresholds: [
          { value: null, color: 'red' },
          { value: 1, color: 'green' },
        ],
        queries: [{ expr: `min(${selector(pg.up)})`, legend: 'up' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Connections used',
        description:
          'Connected backends of the fullest PostgreSQL server as a share of its own max_connections (servers told apart by their postgres_exporter target: job and instance). Orange above 80 %, red above 90 %.',
        unit: UNIT.ratio,
        thresholds: THRESHOLDS.fillRatio,
        queries: [
          {
            // Per server (job, instance: the exporter target), then the fullest: adding every
            // server's backends over one server's limit read 150 % for three servers at 50 %.
            expr:
              `max(sum ${perServer} (${selector(pg.backends)})` +
              ` / max ${by(pg.maxConnections, SERVER)} (${selector(pg.maxConnections)}))`,
            legend: 'fullest server',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Database size',
        description: 'Disk space used by all databases, on all servers.',
        unit: UNIT.bytes,
        queries: [{ expr: `sum(${selector(pg.databaseSize)})`, legend: 'size' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Deadlocks',
        description: 'Deadlocks detected per second, all databases on all servers.',
        unit: UNIT.opsPerSecond,
        thresholds: [
          { value: null, color: 'green' },
          { value: 0.001, color: 'red' },
        ],
        queries: [{ expr: `sum(${rate(selector(pg.deadlocks))})`, legend: 'deadlocks' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Connections by database',
        description: 'Backends connected, per server and database.',
        unit: UNIT.count,
        queries: [
          {
            expr: `sum ${by(pg.backends, [...SERVER, 'datname'])} (${selector(pg.backends)})`,
            legend: `${SERVER_LEGEND} {{datname}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Buffer cache hit ratio',
        description: 'Share of block reads served from the buffer cache, per server and database.',
        unit: UNIT.ratio,
        min: 0,
        max: 1,
        queries: [
          {
            expr:
              `sum ${perDb} (${rate(selector(pg.blocksHit))}) / (sum ${perDb} (${rate(selector(pg.blocksHit))})` +
              ` + sum ${by(pg.blocksRead, [...SERVER, 'datname'])} (${rate(selector(pg.blocksRead))}))`,
            legend: `${SERVER_LEGEND} {{datname}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Longest running transaction',
        description:
          'Age of the oldest active transaction, per server and database: slow queries show here. Red above 2 s.',
        unit: UNIT.seconds,
        thresholds: THRESHOLDS.latencyP99,
        queries: [
          {
            expr: `max ${by(pg.activityMaxTxDuration, [...SERVER, 'datname'])} (${selector(pg.activityMaxTxDuration, { state: 'active' })})`,
            legend: `${SERVER_LEGEND} {{datname}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Locks by mode',
        description:
          'Locks held per server, database and mode; a rise in exclusive modes points at blocking queries.',
        unit: UNIT.count,
        queries: [
          {
            expr: `sum ${by(pg.locks, [...SERVER, 'datname', 'mode'])} (${selector(pg.locks)})`,
            legend: `${SERVER_LEGEND} {{datname}} {{mode}}`,
          },
        ],
      }),
    );
}

export function build(): dashboard.Dashboard {
  const d = newDashboard({
    uid: UID,
    title: 'Beacon / Database',
    description:
      'Query duration, connections and cache hit ratios from the services, and PostgreSQL health from postgres_exporter.',
    tags: ['database'],
  });
  servicesRow(d);
  postgresRow(d);
  return d.build();
}
