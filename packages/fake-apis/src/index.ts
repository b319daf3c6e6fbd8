/**
 * Fakes of the APIs the env-parity provider modules read, answering over
 * real HTTP on loopback the way the real servers do: one implementation for
 * the modules' tests, the benchmarks and the demo
 * (`scripts/demo-environments.js`). Private: never published.
 *
 * @packageDocumentation
 */

export * from './argocd';
export * from './github';
export * from './gitlab';
export * from './kubernetes';
