/**
 * The http backend module for the env-parity plugin: reads what each
 * environment says it runs from a version endpoint.
 *
 * @packageDocumentation
 */

export { envParityModuleHttp as default } from './module';
