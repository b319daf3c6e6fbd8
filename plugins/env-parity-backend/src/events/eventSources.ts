import { EventParams } from '@backstage/plugin-events-node';

/**
 * The topics Env Parity follows: GitHub's deployment webhooks as the events
 * backend's GitHub module routes them (`github.<X-GitHub-Event>`), and the
 * Argo CD Notifications webhook of the Argo CD module (`argocd`).
 */
export const GITHUB_DEPLOYMENT_TOPICS = [
  'github.deployment',
  'github.deployment_status',
];
export const ARGOCD_TOPIC = 'argocd';

/** Which services an event is about: a catalog filter and a final check. */
export interface EventTarget {
  /** What the event names, for logs. */
  description: string;
  /** A catalog filter on annotations (values compared case-insensitively). */
  filter: Record<string, string>;
  /** Further narrowing of the entities the filter found. */
  accepts?: (annotations: Record<string, string>) => boolean;
}

const REPO_NAME = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The services a GitHub `deployment` or `deployment_status` event is about:
 * those whose `github.com/project-slug` is the repository. Undefined when the
 * payload names no repository.
 */
export function githubTarget(params: EventParams): EventTarget | undefined {
  const payload = params.eventPayload;
  const repository = isObject(payload) ? payload.repository : undefined;
  const fullName = isObject(repository) ? repository.full_name : undefined;
  if (typeof fullName !== 'string' || !REPO_NAME.test(fullName)) {
    return undefined;
  }
  return {
    description: `GitHub repository ${fullName}`,
    filter: { 'metadata.annotations.github.com/project-slug': fullName },
  };
}

/** An Argo CD Notifications webhook body, as documented for adopters. */
export interface ArgocdNotification {
  /** The Application's name (`{{.app.metadata.name}}`). */
  app: string;
  /** The Argo CD instance, as named in `argocd/instance-name`. */
  instance?: string;
  /** The synced revision (`{{.app.status.sync.revision}}`). */
  revision?: string;
}

/**
 * The notification in an event on the `argocd` topic, or undefined when it
 * names no application. The Argo CD module's webhook checks the body's
 * shape before publishing; this reads what it needs.
 */
export function parseArgocdNotification(
  body: unknown,
): ArgocdNotification | undefined {
  if (!isObject(body) || typeof body.app !== 'string' || !body.app) {
    return undefined;
  }
  const text = (value: unknown) =>
    typeof value === 'string' && value ? value : undefined;
  return {
    app: body.app,
    instance: text(body.instance),
    revision: text(body.revision),
  };
}

/**
 * The services an Argo CD notification is about: those whose
 * `argocd/app-name` is the application, on the instance when both the
 * notification and the entity (`argocd/instance-name`) name one.
 */
export function argocdTarget(params: EventParams): EventTarget | undefined {
  const notification = parseArgocdNotification(params.eventPayload);
  if (!notification) {
    return undefined;
  }
  const { app, instance } = notification;
  return {
    description: `Argo CD application ${app}${
      instance ? ` on ${instance}` : ''
    }`,
    filter: { 'metadata.annotations.argocd/app-name': app },
    accepts: annotations => {
      const own = annotations['argocd/instance-name']?.trim();
      return !instance || !own || own === instance;
    },
  };
}

/** The target of an event on one of the followed topics. */
export function eventTarget(params: EventParams): EventTarget | undefined {
  if (params.topic === ARGOCD_TOPIC) {
    return argocdTarget(params);
  }
  if (GITHUB_DEPLOYMENT_TOPICS.includes(params.topic)) {
    return githubTarget(params);
  }
  return undefined;
}
