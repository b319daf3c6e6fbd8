export * from './FakeArgocd';
export * from './rollout';
