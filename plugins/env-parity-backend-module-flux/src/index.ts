/**
 * The Flux backend module for the env-parity plugin: what Flux
 * Kustomizations and HelmReleases apply in each environment of a service.
 *
 * @packageDocumentation
 */

export { envParityModuleFlux as default } from './module';
export { FluxDeploymentProvider } from './FluxDeploymentProvider';
