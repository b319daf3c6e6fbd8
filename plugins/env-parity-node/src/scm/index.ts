export * from './moduleOptions';
export * from './etagCache';
