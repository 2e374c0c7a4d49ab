export * from './api-keys';
export * from './jwt';
