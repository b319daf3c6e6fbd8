export * from './moduleOptions';
