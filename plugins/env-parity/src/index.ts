export { envParityPlugin as default } from './plugin';
