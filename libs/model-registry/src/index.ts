export * from './model-config';
export * from './model-store';
