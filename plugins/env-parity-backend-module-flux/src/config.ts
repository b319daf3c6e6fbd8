import { Config } from '@backstage/config';

/** The config key this module reads. */
export const CONFIG_KEY = 'envParity.flux';
/** The Kubernetes module's config, whose clusters and mapping this module reads through. */
export const KUBERNETES_CONFIG_KEY = 'envParity.kubernetes';

/** The annotations naming a service's Flux objects, `namespace/name` (comma-separated for several). */
export const ANNOTATIONS = {
  kustomization: 'env-parity/flux-kustomization',
  helmRelease: 'env-parity/flux-helmrelease',
} as const;

/**
 * Whether the module reads Flux objects: when `envParity.kubernetes`
 * configures clusters, unless `envParity.flux.enabled` is false.
 */
export function fluxEnabled(config: Config): boolean {
  return (
    config.has(KUBERNETES_CONFIG_KEY) &&
    (config.getOptionalBoolean(`${CONFIG_KEY}.enabled`) ?? true)
  );
}

/** A Flux object named by an annotation. */
export interface NamedObject {
  namespace: string;
  name: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The objects an annotation names: `namespace/name`, comma-separated;
 * throws an Error naming the annotation and what is wrong (never sending
 * an invalid name to a cluster).
 */
export function readNamedObjects(
  key: string,
  value: string | undefined,
): NamedObject[] {
  if (value === undefined || value.trim() === '') {
    return [];
  }
  return value.split(',').map(part => {
    const text = part.trim();
    const [namespace, name, extra] = text.split('/');
    if (
      extra !== undefined ||
      !namespace ||
      !name ||
      !DNS_LABEL.test(namespace) ||
      !DNS_SUBDOMAIN.test(name)
    ) {
      const shown =
        text.length > 80
          ? `${JSON.stringify(text.slice(0, 80))}…`
          : JSON.stringify(text);
      throw new Error(
        `Annotation ${key} has ${shown}, which is not namespace/name (a namespace and a Kubernetes object name: lowercase letters, digits, "-" and, in the name, "."); nothing was requested from the clusters`,
      );
    }
    return { namespace, name };
  });
}
