export { EnvParityContent } from './EnvParityContent';
