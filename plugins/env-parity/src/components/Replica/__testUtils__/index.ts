export { FakeReplicaApi, readyParts } from './FakeReplicaApi';
export type { ReplicaApi } from './FakeReplicaApi';
export { renderReplicaTab, replicaApi } from './renderReplica';
