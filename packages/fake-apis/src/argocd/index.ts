export * from './FakeArgocd';
