export { ProbeSection, probeEnvironments } from './ProbeSection';
export { ProbeResults } from './ProbeResults';
