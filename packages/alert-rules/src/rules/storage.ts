// Storage/database alerts: PostgreSQL as postgres_exporter sees it, the database and cache as the
// platform's services see them, and artifact storage capacity.
import { by, catalog, eq, histogramSelector, selector } from '@beacon/metric-catalog';
import { defineAlert } from '../spec';
import type { AlertSpec, RuleGroup, Severity } from '../spec';

const { dbQueryDuration, dbPoolConnections, cacheHits, cacheMisses, storageUsed, storageCapacity } =
  catalog.platform;
const pg = catalog.postgresExporter;
const ns = 'platform';
const team = 'platform';
/** postgres_exporter series carry only job/instance: name the service in a fixed label. */
const postgres = 'postgres';

function slowQueries(severity: Severity, seconds: number, label: string): AlertSpec {
  const buckets = histogramSelector(dbQueryDuration, 'bucket', { namespace: ns });
  const grouping = by(dbQueryDuration, ['namespace', 'service', 'operation', 'le']);
  return defineAlert({
    name: 'DatabaseQueriesSlow',
    expr: `histogram_quantile(0.95, sum ${grouping} (rate(${buckets}[5m]))) > ${seconds}`,
    for: '10m',
    severity,
    team,
    summary: `p95 of {{ $labels.operation }} queries from {{ $labels.service }} is above ${label}`,
    description: `The 95th percentile of database {{ $labels.operation }} queries issued by {{ $labels.service }} is {{ $value | humanizeDuration }} (threshold ${label}).`,
  });
}

function storageFull(severity: Severity, ratio: number): AlertSpec {
  const grouping = by(storageUsed, ['namespace', 'service', 'tool']);
  const capGrouping = by(storageCapacity, ['namespace', 'service', 'tool']);
  return defineAlert({
    name: 'ArtifactStorageNearlyFull',
    expr: `sum ${grouping} (${selector(storageUsed, { namespace: ns })}) / sum ${capGrouping} (${selector(storageCapacity, { namespace: ns })}) > ${ratio}`,
    for: '15m',
    severity,
    team,
    summary: `Artifact storage of {{ $labels.tool }} is more than ${ratio * 100}% full`,
    description: `Artifacts of {{ $labels.tool }} use {{ $value | humanizePercentage }} of the storage provisioned for them (threshold ${ratio * 100}%).`,
  });
}

const perDb = ['instance', 'datname'] as const;

/**
 * Hits and misses per cache over 10 minutes. prom-client creates a labelled series on its first
 * inc(): a cache that has never hit has no `cache_hits_total` series, so hits + misses matched
 * nothing and a cache missing every lookup never fired. `hits or 0 * misses` stands in a 0.
 */
const cacheLookups = {
  hits: `sum ${by(cacheHits, ['namespace', 'service', 'cache'])} (rate(${selector(cacheHits, { namespace: ns })}[10m]))`,
  misses: `sum ${by(cacheMisses, ['namespace', 'service', 'cache'])} (rate(${selector(cacheMisses, { namespace: ns })}[10m]))`,
};

export const storage: RuleGroup = {
  domain: 'storage',
  alerts: [
    defineAlert({
      name: 'PostgresDown',
      expr: `${selector(pg.up)} == 0`,
      for: '2m',
      severity: 'critical',
      team,
      service: postgres,
      summary: 'PostgreSQL on {{ $labels.instance }} is unreachable',
      description:
        'postgres_exporter on {{ $labels.instance }} has not been able to connect to PostgreSQL for 2 minutes.',
    }),
    slowQueries('warning', 0.25, '250ms'),
    slowQueries('critical', 1, '1s'),
    defineAlert({
      name: 'PostgresLongRunningTransaction',
      expr: `max ${by(pg.activityMaxTxDuration, perDb)} (${selector(pg.activityMaxTxDuration, { state: eq('active') })}) > 300`,
      for: '5m',
      severity: 'warning',
      team,
      service: postgres,
      summary: 'A transaction on {{ $labels.datname }} has run for more than 5 minutes',
      description:
        'The longest active transaction on database {{ $labels.datname }} ({{ $labels.instance }}) has run for {{ $value | humanizeDuration }} (threshold 5m).',
    }),
    defineAlert({
      name: 'PostgresIdleInTransaction',
      expr: `max ${by(pg.activityMaxTxDuration, perDb)} (${selector(pg.activityMaxTxDuration, { state: eq('idle in transaction') })}) > 120`,
      for: '5m',
      severity: 'warning',
      team,
      service: postgres,
      summary: 'A session on {{ $labels.datname }} sits idle in a transaction, blocking others',
      description:
        'A session on database {{ $labels.datname }} ({{ $labels.instance }}) has been idle inside an open transaction for {{ $value | humanizeDuration }} (threshold 2m); its locks block other queries.',
    }),
    defineAlert({
      name: 'PostgresAccessExclusiveLockHeld',
      expr: `sum ${by(pg.locks, perDb)} (${selector(pg.locks, { mode: eq('accessexclusivelock') })}) > 0`,
      for: '10m',
      severity: 'warning',
      team,
      service: postgres,
      summary: 'An ACCESS EXCLUSIVE lock on {{ $labels.datname }} has been held for 10 minutes',
      description:
        '{{ $value }} ACCESS EXCLUSIVE locks have been held on database {{ $labels.datname }} ({{ $labels.instance }}) for 10 minutes; every query on the locked tables waits.',
    }),
    defineAlert({
      name: 'PostgresDeadlocks',
      expr: `sum ${by(pg.deadlocks, perDb)} (increase(${selector(pg.deadlocks)}[10m])) > 2`,
      for: '0m',
      severity: 'warning',
      team,
      service: postgres,
      summary: 'Deadlocks on {{ $labels.datname }}',
      description:
        'PostgreSQL detected {{ $value | humanize }} deadlocks on database {{ $labels.datname }} ({{ $labels.instance }}) in the last 10 minutes (threshold 2).',
    }),
    defineAlert({
      name: 'PostgresConnectionsNearLimit',
      expr: `sum ${by(pg.backends, ['instance'])} (${selector(pg.backends)}) / max ${by(pg.maxConnections, ['instance'])} (${selector(pg.maxConnections)}) > 0.8`,
      for: '5m',
      severity: 'warning',
      team,
      service: postgres,
      summary: 'PostgreSQL on {{ $labels.instance }} is near its connection limit',
      description:
        'PostgreSQL on {{ $labels.instance }} has {{ $value | humanizePercentage }} of max_connections in use (threshold 80%).',
    }),
    defineAlert({
      name: 'DbPoolSaturated',
      expr: `sum ${by(dbPoolConnections, ['namespace', 'service', 'pod'])} (${selector(dbPoolConnections, { namespace: ns, state: eq('in_use') })}) / sum ${by(dbPoolConnections, ['namespace', 'service', 'pod'])} (${selector(dbPoolConnections, { namespace: ns, state: eq('max') })}) > 0.9`,
      for: '5m',
      severity: 'warning',
      team,
      summary: 'Database connection pool of {{ $labels.pod }} is saturated',
      description:
        'Pod {{ $labels.pod }} of {{ $labels.service }} has {{ $value | humanizePercentage }} of its database pool connections in use (threshold 90%); requests queue for a connection.',
    }),
    defineAlert({
      name: 'CacheMissRateHigh',
      expr: `${cacheLookups.misses} / ((${cacheLookups.hits} or 0 * ${cacheLookups.misses}) + ${cacheLookups.misses}) > 0.5`,
      for: '15m',
      severity: 'warning',
      team,
      summary:
        'Cache {{ $labels.cache }} of {{ $labels.service }} misses more than half its lookups',
      description:
        '{{ $value | humanizePercentage }} of lookups in cache {{ $labels.cache }} of {{ $labels.service }} missed over the last 10 minutes (threshold 50%).',
    }),
    defineAlert({
      name: 'PostgresCacheHitRatioLow',
      expr: `sum ${by(pg.blocksHit, perDb)} (rate(${selector(pg.blocksHit)}[30m])) / (sum ${by(pg.blocksHit, perDb)} (rate(${selector(pg.blocksHit)}[30m])) + sum ${by(pg.blocksRead, perDb)} (rate(${selector(pg.blocksRead)}[30m]))) < 0.9`,
      for: '30m',
      severity: 'warning',
      team,
      service: postgres,
      summary: 'PostgreSQL buffer cache hit ratio of {{ $labels.datname }} is low',
      description:
        'Only {{ $value | humanizePercentage }} of block reads on database {{ $labels.datname }} ({{ $labels.instance }}) were served from the buffer cache over the last 30 minutes (threshold 90%).',
    }),
    storageFull('warning', 0.8),
    storageFull('critical', 0.95),
  ],
};
