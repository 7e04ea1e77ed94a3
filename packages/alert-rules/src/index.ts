export * from './spec';
export * from './rules';
export * from './render/prometheus';
export * from './render/grafana';
export * from './slo';
export * from './render/yaml';
export * from './alertmanager/config';
export * from './build';
