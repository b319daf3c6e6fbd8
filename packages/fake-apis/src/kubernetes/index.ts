export * from './FakeKubernetes';
export * from './rollout';
export * from './flux';
export * from './sandbox';
export { fakeImageDigest } from './pods';
export type { SandboxStore } from './pods';
export { statusBody } from './status';
