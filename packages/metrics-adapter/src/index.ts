export * from './api/quantity';
export * from './api/status';
export * from './k8s/label-selector';
export * from './api/routes';
export * from './api/wire';
export * from './provider/prometheus/config';
export * from './provider/prometheus/naming';
