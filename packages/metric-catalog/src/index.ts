export * from './names';
export * from './definition';
export * from './catalog';
export * from './catalog/labels';
export * from './promql';
export * from './factories';
export * from './process-metrics';
