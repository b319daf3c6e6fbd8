export * from './FakeKubernetes';
export * from './rollout';
export * from './flux';
