export * from './asyncapi';
export * from './envelope';
export * from './events';
export * from './money';
export * from './saga-console';
export * from './samples';
