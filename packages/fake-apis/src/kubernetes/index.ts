export * from './FakeKubernetes';
export * from './rollout';
export * from './flux';
export * from './sandbox';
