import { createHash } from 'node:crypto';

/*
 * What the fake Argo CD does with the two calls that change an application:
 * an upsert (`POST /api/v1/applications?upsert=true`) replaces its spec,
 * labels and annotations as Argo CD's API server does, and a sync
 * (`POST /api/v1/applications/{name}/sync`) "rolls out" at once: the
 * application reports the new revision and images, Synced and Healthy, and
 * a succeeded operation, as the application controller would once the
 * rollout finished.
 */

/** What a sync rolled out, for whoever plays the cluster (the demo). */
export interface ArgocdRollout {
  /** The application's name and namespace. */
  name: string;
  namespace: string;
  /** `spec.destination.namespace`. */
  destinationNamespace?: string;
  /** The revision synced. */
  revision: string;
  /** The images now running, as `status.summary.images` lists them. */
  images: string[];
  /** Who asked, from the token's account. */
  username: string;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Applies an upsert to an existing application as Argo CD's `Create` with
 * `upsert=true` does: an equal spec, labels and annotations change nothing;
 * otherwise they are replaced. Returns whether anything changed.
 */
export function applyUpsert(
  existing: Record<string, any>,
  given: Record<string, any>,
): boolean {
  const same =
    sameJson(existing.spec, given.spec) &&
    sameJson(existing.metadata.labels ?? {}, given.metadata?.labels ?? {}) &&
    sameJson(
      existing.metadata.annotations ?? {},
      given.metadata?.annotations ?? {},
    );
  if (same) {
    return false;
  }
  existing.spec = clone(given.spec);
  existing.metadata.labels = clone(given.metadata?.labels ?? {});
  existing.metadata.annotations = clone(given.metadata?.annotations ?? {});
  existing.metadata.generation = (existing.metadata.generation ?? 0) + 1;
  existing.metadata.resourceVersion = String(
    Number(existing.metadata.resourceVersion ?? 0) + 1,
  );
  existing.status = {
    ...existing.status,
    sync: { ...existing.status?.sync, status: 'OutOfSync' },
  };
  return true;
}

function sourcesOf(app: Record<string, any>): Array<Record<string, any>> {
  if (Array.isArray(app.spec?.sources) && app.spec.sources.length) {
    return app.spec.sources;
  }
  return app.spec?.source ? [app.spec.source] : [];
}

/** The revision a source syncs to: its SHA, or a made-up commit of its branch. */
function resolveRevision(source: Record<string, any>): string {
  const target = String(source.targetRevision ?? 'HEAD');
  return FULL_SHA.test(target)
    ? target
    : createHash('sha1').update(JSON.stringify(source)).digest('hex');
}

/**
 * The images after a sync: the Helm parameters `image` (a whole
 * reference), or `image.repository` with `image.tag` and/or `image.digest`,
 * applied to the first image the application ran; without such
 * parameters, the images stay as they were.
 */
function renderImages(app: Record<string, any>): string[] {
  const before: string[] = app.status?.summary?.images ?? [];
  const params = new Map<string, string>();
  for (const source of sourcesOf(app)) {
    for (const p of source.helm?.parameters ?? []) {
      if (typeof p?.name === 'string') params.set(p.name, String(p.value));
    }
  }
  const whole = params.get('image');
  if (whole) {
    return [whole, ...before.slice(1)];
  }
  const tag = params.get('image.tag');
  const digest = params.get('image.digest');
  if (!tag && !digest) {
    return before;
  }
  const repository =
    params.get('image.repository') ??
    (before[0] ?? 'registry.example.test/app')
      .split('@')[0]
      .replace(/:[^:/]*$/, '');
  const image = `${repository}${tag ? `:${tag}` : ''}${
    digest ? `@${digest}` : ''
  }`;
  return [image, ...before.slice(1)];
}

/** Rolls a sync out at once and returns what now runs. */
export function rollOut(
  app: Record<string, any>,
  options: { username: string; now?: Date },
): ArgocdRollout {
  const now = (options.now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  const sources = sourcesOf(app);
  const multi = Array.isArray(app.spec?.sources) && app.spec.sources.length > 0;
  const revisions = sources.map(resolveRevision);
  const revision = revisions[0] ?? 'HEAD';
  const images = renderImages(app);
  const status = app.status ?? {};
  const synced = multi ? { revisions } : { revision };
  const compared = multi
    ? { sources: clone(app.spec.sources) }
    : { source: clone(app.spec.source) };
  const history: Array<Record<string, any>> = status.history ?? [];
  app.status = {
    ...status,
    sync: {
      status: 'Synced',
      ...synced,
      comparedTo: { ...compared, destination: clone(app.spec?.destination) },
    },
    health: { status: 'Healthy', lastTransitionTime: now },
    resources: (status.resources ?? []).map((r: Record<string, any>) => ({
      ...r,
      status: 'Synced',
      ...(r.health ? { health: { status: 'Healthy' } } : {}),
    })),
    history: [
      ...history,
      {
        ...synced,
        ...compared,
        id: (history.at(-1)?.id ?? 0) + 1,
        deployStartedAt: now,
        deployedAt: now,
      },
    ],
    reconciledAt: now,
    operationState: {
      operation: {
        sync: synced,
        initiatedBy: { username: options.username },
        retry: {},
      },
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      syncResult: { ...synced, ...compared },
      startedAt: now,
      finishedAt: now,
    },
    summary: { ...status.summary, images },
  };
  return {
    name: app.metadata.name,
    namespace: app.metadata.namespace,
    ...(app.spec?.destination?.namespace && {
      destinationNamespace: app.spec.destination.namespace,
    }),
    revision,
    images,
    username: options.username,
  };
}
