/**
 * Test utilities for Env Parity modules: entities, environments and a root
 * logger that records every line, for tests that start a backend with
 * `startTestBackend`.
 *
 * @packageDocumentation
 */

export * from './entities';
export * from './recordingRootLogger';
