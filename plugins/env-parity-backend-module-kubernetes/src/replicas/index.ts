export { KubernetesReplicaDriver } from './KubernetesReplicaDriver';
export {
  CONFIG_FROM_ANNOTATION,
  PRODUCTION_NON_SECRET,
  REPLICAS_KEY,
} from './config';
