/**
 * Test utilities for Env Parity modules: entities, environments, a root
 * logger that records every line and an in-memory cache, for tests that start
 * a backend with `startTestBackend`.
 *
 * @packageDocumentation
 */

export * from './entities';
export * from './recordingRootLogger';
export * from './memoryCache';
