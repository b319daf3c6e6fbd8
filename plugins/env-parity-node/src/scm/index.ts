export * from './moduleOptions';
export * from './etagCache';
export * from './rateLimitPauses';
