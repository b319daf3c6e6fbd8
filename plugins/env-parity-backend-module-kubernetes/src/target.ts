import { Entity } from '@backstage/catalog-model';
import { checkLabelSelector, isLabelValue, isNamespace } from './selectors';

/** The Kubernetes plugin's annotations, reused as they are. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

/**
 * The label selector and namespace an entity's annotations ask for.
 *
 * @public
 */
export interface KubernetesTarget {
  labelSelector: string;
  namespace?: string;
  /** Names a primary container may have: the entity name and the kubernetes-id. */
  names: string[];
}

/**
 * Reads the label selector and namespace from an entity's annotations,
 * as the Kubernetes plugin does; throws an Error naming the bad annotation.
 *
 * @public
 */
export function kubernetesTarget(entity: Entity): KubernetesTarget {
  const annotations = entity.metadata.annotations ?? {};
  const id = annotations[KUBERNETES_ID_ANNOTATION]?.trim();
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION];
  const namespace = annotations[KUBERNETES_NAMESPACE_ANNOTATION]?.trim();
  let labelSelector: string;
  if (selector !== undefined && selector.trim() !== '') {
    try {
      labelSelector = checkLabelSelector(selector);
    } catch (error) {
      throw new Error(
        `annotation ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} is malformed: ${
          (error as Error).message
        }`,
      );
    }
  } else if (id) {
    if (!isLabelValue(id)) {
      throw new Error(
        `annotation ${KUBERNETES_ID_ANNOTATION} "${id}" is not a valid label value (at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit)`,
      );
    }
    labelSelector = `${KUBERNETES_ID_ANNOTATION}=${id}`;
  } else {
    throw new Error(
      `the entity has neither ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} nor ${KUBERNETES_ID_ANNOTATION}`,
    );
  }
  if (namespace !== undefined && namespace !== '' && !isNamespace(namespace)) {
    throw new Error(
      `annotation ${KUBERNETES_NAMESPACE_ANNOTATION} "${namespace}" is not a valid namespace name`,
    );
  }
  return {
    labelSelector,
    namespace: namespace || undefined,
    names: [entity.metadata.name, ...(id ? [id] : [])],
  };
}

/**
 * Whether an entity has the annotations a target is read from.
 *
 * @public
 */
export function hasKubernetesAnnotations(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim() ||
      annotations[KUBERNETES_ID_ANNOTATION]?.trim(),
  );
}
