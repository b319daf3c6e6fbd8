/**
 * Test utilities for Env Parity modules: entities, environments, a root
 * logger that records every line, an in-memory cache and a scheduler the test
 * runs by hand, for tests that start a backend with `startTestBackend`.
 *
 * @packageDocumentation
 */

export * from './entities';
export * from './recordingRootLogger';
export * from './memoryCache';
export * from './manualScheduler';
