export * from './kafka-client';
export * from './admin';
export * from './producer';
export * from './consumer';
export { errorChain } from './transient-errors';
export * from './consumer-lag';
export * from './request-reply';
export * from './model-catalog';
export * from './state-topic-reader';
