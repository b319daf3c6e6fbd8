/**
 * The Kubernetes backend module for the env-parity plugin: what runs in each
 * environment's clusters.
 *
 * @packageDocumentation
 */

export { envParityModuleKubernetes as default } from './module';
export { KubernetesDeploymentProvider } from './KubernetesDeploymentProvider';
// the clusters and their environments, for modules reading other objects (Flux)
export { kubernetesClustersFromConfig } from './clusters';
export type { KubernetesClusters, MappedCluster } from './clusters';
export { KubernetesApiError, KubernetesClient } from './KubernetesClient';
export type {
  KubeObject,
  KubernetesClientOptions,
  ListRequest,
  ResourceType,
} from './KubernetesClient';
export type { ClusterDefinition, ConfigNotice } from './config';
export type { KubernetesTransport, TransportHints } from './transports';
export { hasKubernetesAnnotations, kubernetesTarget } from './target';
export type { KubernetesTarget } from './target';
// production replicas in a sandbox cluster (envParity.replicas)
export { KubernetesReplicaDriver } from './replicas';
