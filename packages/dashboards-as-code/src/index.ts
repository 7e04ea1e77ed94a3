export * from './common';
export { dashboards } from './dashboards';
export type { DashboardModule } from './dashboards';
export * from './build';
export {
  createLinter,
  formatText,
  hasErrors,
  lintAll,
  loadSchema,
  DEFAULT_SCHEMA_PATH,
} from './lint';
export type { Finding, Linter, Severity } from './lint';
export { analyzePromql, variableRefs } from './lint/promql';
export * from './grafana';
