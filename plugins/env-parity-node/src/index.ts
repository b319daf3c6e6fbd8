/**
 * Extension points and interfaces for Env Parity backend modules: deployment
 * providers, revision comparers, access provisioners and alignment deployers.
 *
 * @packageDocumentation
 */

export * from './providers';
export * from './extensions';
export * from './http';
export * from './access';
export * from './fingerprint';
export * from './align';
export * from './gitops';
export * from './json';
export * from './template';
export * from './scm';
export * from './replicas';
