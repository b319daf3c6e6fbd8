export * from './checks';
export * from './text';
