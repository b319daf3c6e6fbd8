export { ReplicaPanel } from './ReplicaPanel';
export { ReplicaEnvironmentLabel } from './ReplicaEnvironmentLabel';
export { useServiceReplicas, REPLICA_POLL_MS } from './useServiceReplicas';
export type { ServiceReplicas } from './useServiceReplicas';
