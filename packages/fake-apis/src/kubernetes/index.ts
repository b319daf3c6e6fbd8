export * from './FakeKubernetes';
