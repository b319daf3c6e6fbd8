export { FakeAlignmentApi, productionTarget } from './FakeAlignmentApi';
export type { AlignApi, FakeAlignPolicy } from './FakeAlignmentApi';
export { alignApi, renderAlign, renderTab } from './renderAlign';
