/***/
/**
 * The flux backend module for the env-parity plugin.
 *
 * @packageDocumentation
 */

export { envParityModuleFlux as default } from './module';
