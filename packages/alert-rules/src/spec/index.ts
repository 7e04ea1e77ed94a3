export * from './types';
export * from './validate';
export * from './define';
export * from './thresholds';
