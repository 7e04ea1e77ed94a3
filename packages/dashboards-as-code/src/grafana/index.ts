export * from './client';
export * from './sync';
