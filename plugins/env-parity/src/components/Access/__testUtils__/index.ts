export {
  accessError,
  defaultAccessSettings,
  FakeAccessApi,
} from './FakeAccessApi';
export type { AccessApi } from './FakeAccessApi';
export { accessApi, renderAccess } from './renderAccess';
