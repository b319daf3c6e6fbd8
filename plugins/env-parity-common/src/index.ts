/**
 * Types, annotation keys, permissions and the pure parity computation shared
 * by the Env Parity frontend and backend.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './annotations';
export * from './permissions';
export * from './parity';
export * from './configSettings';
export * from './closest';
export * from './artifact';
export * from './access';
export * from './scorecard';
export * from './probe';
export * from './probeDiff';
export * from './probeDiffIgnore';
export * from './align';
export * from './denied';
export * from './replica';
