/**
 * The Kubernetes backend module for the env-parity plugin: what runs in each
 * environment's clusters.
 *
 * @packageDocumentation
 */

export { envParityModuleKubernetes as default } from './module';
export { KubernetesDeploymentProvider } from './KubernetesDeploymentProvider';
