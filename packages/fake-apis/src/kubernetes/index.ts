export * from './FakeKubernetes';
export * from './rollout';
