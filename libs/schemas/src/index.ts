export * from './topics';
export * from './errors';
export * from './messages';
export * from './http';
export * from './validate';
export * from './openapi';
export * from './features';
export * from './audit';
