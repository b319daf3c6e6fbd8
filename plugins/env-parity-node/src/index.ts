/**
 * Extension points and interfaces for Env Parity backend modules: deployment
 * providers and revision comparers.
 *
 * @packageDocumentation
 */

export * from './providers';
export * from './extensions';
export * from './http';
export * from './access';
export * from './fingerprint';
