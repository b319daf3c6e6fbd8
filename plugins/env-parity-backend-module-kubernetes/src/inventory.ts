import { ConfigFingerprint } from '@env-parity/plugin-env-parity-common';
import { ConfigFingerprinter } from '@env-parity/plugin-env-parity-node';
import { WorkloadKind } from './config';
import { KubeObject, KubernetesClient, RESOURCES } from './KubernetesClient';
import { LabelSelectorObject, matchesSelector } from './selectors';

/**
 * What the provider keeps of the workloads and pods it lists: only the
 * fields it reports or matches on, with literal env values already
 * fingerprinted, so that the inventory of a cluster with tens of thousands
 * of pods stays small and holds no configuration value.
 */

export const KIND_RESOURCES: Record<WorkloadKind, keyof typeof RESOURCES> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Rollout: 'rollouts',
};

/** A ConfigMap or Secret a pod template refers to. */
export interface Reference {
  type: 'configmaps' | 'secrets';
  name: string;
  optional: boolean;
}

/** An env var of a container: its fingerprint, or the ConfigMap or Secret key it takes its value from. */
export type EnvRecord =
  | { name: string; fingerprint: ConfigFingerprint }
  | { name: string; from: 'secrets' | 'configmaps'; ref: string; key: unknown };

export interface ContainerRecord {
  name: string;
  image: string;
  /** `requests.cpu` etc. to the quantity. */
  resources: Array<[string, string]>;
  env: EnvRecord[];
}

/** A workload as the provider needs it. */
export interface WorkloadRecord {
  kind: WorkloadKind;
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** `spec.selector`: which pods belong to it. */
  selector?: LabelSelectorObject;
  /** The `app.kubernetes.io/version` label of the workload or its pod template. */
  version?: string;
  /** Desired replicas; undefined for DaemonSets (set by the node count). */
  specReplicas?: number;
  replicas: { desired: number; ready: number };
  status: string;
  containers: ContainerRecord[];
  /** The ConfigMaps and Secrets its pod template refers to, each once. */
  references: Reference[];
}

/** A live pod (neither Succeeded nor Failed) as the provider needs it. */
export interface PodRecord {
  namespace?: string;
  labels?: Record<string, string>;
  /** Container name to the repository digest it runs, for containers with one. */
  digests: Array<[string, string]>;
}

/**
 * One copy of each string, label set, string-pair list and fingerprint met
 * while one list is read: the pods of a workload carry the same labels and
 * run the same digests, and a service's name comes back in its labels,
 * selector, containers and references. Records share what the pool hands
 * out, which is never mutated. The pool is dropped with the listing: only
 * the records keep what it handed out.
 */
export class RecordPool {
  private readonly strings = new Map<string, string>();
  private readonly shared = new Map<string, unknown>();
  private readonly pods = new Map<
    PodRecord['labels'],
    Map<PodRecord['digests'], Map<string | undefined, PodRecord>>
  >();

  /** The one copy of a string (a flat one: never a slice of a larger string). */
  string(value: string): string {
    let known = this.strings.get(value);
    if (known === undefined) {
      // a substring may keep the whole string it was cut from alive
      known = value.length > 12 ? flat(value) : value;
      this.strings.set(known, known);
    }
    return known;
  }

  /** The one copy of a label set of string values (same keys and values, same order). */
  labels(value: Record<string, string>): Record<string, string> {
    const entries = Object.entries(value);
    return this.share(`l${JSON.stringify(entries)}`, () =>
      Object.fromEntries(
        entries.map(([k, v]) => [this.string(k), this.string(v)]),
      ),
    );
  }

  /** The one copy of a fingerprint. */
  fingerprint(value: ConfigFingerprint): ConfigFingerprint {
    return this.share(`f${JSON.stringify(value)}`, () =>
      keptFingerprint(value),
    );
  }

  /** The one copy of a list of string pairs (a pod's digests, a container's resources). */
  pairs(value: Array<[string, string]>): Array<[string, string]> {
    return this.share(`p${JSON.stringify(value)}`, () =>
      value.map(([a, b]) => [this.string(a), this.string(b)]),
    );
  }

  /** The one copy of a replica count. */
  replicas(desired: number, ready: number): { desired: number; ready: number } {
    return this.share(`r${desired}/${ready}`, () => ({ desired, ready }));
  }

  /**
   * The one copy of a pod record: pods with the same namespace and the
   * same (pooled) labels and digests share it.
   */
  pod(record: PodRecord): PodRecord {
    let byDigests = this.pods.get(record.labels);
    if (!byDigests) {
      byDigests = new Map();
      this.pods.set(record.labels, byDigests);
    }
    let byNamespace = byDigests.get(record.digests);
    if (!byNamespace) {
      byNamespace = new Map();
      byDigests.set(record.digests, byNamespace);
    }
    const known = byNamespace.get(record.namespace);
    if (known) {
      return known;
    }
    byNamespace.set(record.namespace, record);
    return record;
  }

  private share<T>(key: string, make: () => T): T {
    let known = this.shared.get(key) as T | undefined;
    if (known === undefined) {
      known = make();
      this.shared.set(key, known);
    }
    return known;
  }
}

/** A copy of a string that is not a slice of another one. */
function flat(value: string): string {
  return JSON.parse(JSON.stringify(value));
}

/**
 * A fingerprint to keep: its strings copied flat, so that it does not keep
 * alive the longer strings they were cut from (a hash is a slice of a
 * longer digest).
 */
export function keptFingerprint(value: ConfigFingerprint): ConfigFingerprint {
  return {
    ...value,
    hash: flat(value.hash),
    ...(value.value !== undefined ? { value: flat(value.value) } : {}),
  };
}

/**
 * Parses a container status `imageID` into a `sha256:` repository digest,
 * or undefined when it holds none: `docker-pullable://repo@sha256:...`,
 * `docker.io/x/y@sha256:...` are digests; a bare `sha256:...` is the local
 * image ID, not a repository digest.
 */
export function runningDigest(imageID: unknown): string | undefined {
  if (typeof imageID !== 'string') {
    return undefined;
  }
  const m = /@(sha256:[a-f0-9]{64})$/.exec(imageID.trim());
  return m?.[1];
}

function int(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function condition(object: KubeObject, type: string) {
  const conditions: any[] = Array.isArray(object.status?.conditions)
    ? object.status.conditions
    : [];
  return conditions.find(c => c?.type === type);
}

function workloadStatus(
  kind: WorkloadKind,
  object: KubeObject,
  replicas: { desired: number; ready: number },
): string {
  if (kind === 'Rollout' && typeof object.status?.phase === 'string') {
    return object.status.phase;
  }
  const progressing = condition(object, 'Progressing');
  if (
    progressing?.status === 'False' &&
    progressing?.reason === 'ProgressDeadlineExceeded'
  ) {
    return 'ProgressDeadlineExceeded';
  }
  const updated =
    kind === 'DaemonSet'
      ? object.status?.updatedNumberScheduled
      : object.status?.updatedReplicas;
  if (
    replicas.ready < replicas.desired ||
    (typeof updated === 'number' && updated < replicas.desired)
  ) {
    return 'Progressing';
  }
  const available = condition(object, 'Available');
  if (available && available.status !== 'True') {
    return 'Unavailable';
  }
  return 'Available';
}

export function templateReferences(spec: any): Reference[] {
  const refs = new Map<string, Reference>();
  const add = (type: Reference['type'], source: any) => {
    const name =
      type === 'secrets' ? source?.name ?? source?.secretName : source?.name;
    if (typeof name === 'string' && name) {
      const optional = source?.optional === true;
      const id = `${type}/${name}`;
      const known = refs.get(id);
      if (known) {
        known.optional &&= optional;
      } else {
        refs.set(id, { type, name, optional });
      }
    }
  };
  const containers = [
    ...(Array.isArray(spec?.containers) ? spec.containers : []),
    ...(Array.isArray(spec?.initContainers) ? spec.initContainers : []),
  ];
  for (const c of containers) {
    for (const from of Array.isArray(c?.envFrom) ? c.envFrom : []) {
      if (from?.configMapRef) add('configmaps', from.configMapRef);
      if (from?.secretRef) add('secrets', from.secretRef);
    }
    for (const e of Array.isArray(c?.env) ? c.env : []) {
      if (e?.valueFrom?.configMapKeyRef)
        add('configmaps', e.valueFrom.configMapKeyRef);
      if (e?.valueFrom?.secretKeyRef) add('secrets', e.valueFrom.secretKeyRef);
    }
  }
  for (const v of Array.isArray(spec?.volumes) ? spec.volumes : []) {
    if (v?.configMap) add('configmaps', v.configMap);
    if (v?.secret) add('secrets', v.secret);
    for (const s of Array.isArray(v?.projected?.sources)
      ? v.projected.sources
      : []) {
      if (s?.configMap) add('configmaps', s.configMap);
      if (s?.secret) add('secrets', s.secret);
    }
  }
  return [...refs.values()];
}

/** How an env var's value is fingerprinted, unless it comes from a ConfigMap or Secret key. */
function envRecord(
  e: any,
  fingerprinter: ConfigFingerprinter,
  pool: RecordPool,
): EnvRecord {
  const name: string = pool.string(e.name);
  const from = e.valueFrom;
  const shown = (text: string) => ({
    name,
    fingerprint: pool.fingerprint(
      fingerprinter.fingerprint(text, { show: true }),
    ),
  });
  if (!from) {
    // a literal value: only its hash is kept
    return {
      name,
      fingerprint: pool.fingerprint(
        fingerprinter.fingerprint(String(e.value ?? '')),
      ),
    };
  }
  const key = (value: unknown) =>
    typeof value === 'string' ? pool.string(value) : value;
  if (from.secretKeyRef) {
    return {
      name,
      from: 'secrets',
      ref: pool.string(String(from.secretKeyRef.name)),
      key: key(from.secretKeyRef.key),
    };
  }
  if (from.configMapKeyRef) {
    return {
      name,
      from: 'configmaps',
      ref: pool.string(String(from.configMapKeyRef.name)),
      key: key(from.configMapKeyRef.key),
    };
  }
  if (from.fieldRef) {
    return shown(`fieldRef ${from.fieldRef.fieldPath ?? ''}`);
  }
  if (from.resourceFieldRef) {
    const r = from.resourceFieldRef;
    return shown(
      `resourceFieldRef ${r.containerName ? `${r.containerName}/` : ''}${
        r.resource ?? ''
      }${r.divisor ? ` / ${r.divisor}` : ''}`,
    );
  }
  return shown('valueFrom');
}

function selectorOf(
  value: any,
  pool: RecordPool,
): LabelSelectorObject | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  // records are plain literals with every field, absent ones undefined:
  // an object built with spreads holds its fields apart, at three times
  // the size
  return {
    matchLabels: value.matchLabels
      ? labelsOf(value.matchLabels, pool) ?? value.matchLabels
      : undefined,
    matchExpressions: value.matchExpressions || undefined,
  };
}

/** Labels, pooled when every value is a string; as given otherwise (so that they match what they matched before). */
function labelsOf(
  value: unknown,
  pool: RecordPool,
): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  return Object.values(value).every(v => typeof v === 'string')
    ? pool.labels(value as Record<string, string>)
    : (value as Record<string, string>);
}

/** Keeps of a listed workload what the provider needs; undefined without a name. */
export function workloadRecord(
  kind: WorkloadKind,
  object: KubeObject,
  fingerprinter: ConfigFingerprinter,
  pool: RecordPool = new RecordPool(),
): WorkloadRecord | undefined {
  const name = object.metadata?.name;
  if (typeof name !== 'string') {
    return undefined;
  }
  const template = object.spec?.template;
  const spec = template?.spec;
  let replicas: { desired: number; ready: number };
  let specReplicas: number | undefined;
  if (kind === 'DaemonSet') {
    replicas = pool.replicas(
      int(object.status?.desiredNumberScheduled),
      int(object.status?.numberReady),
    );
  } else {
    specReplicas = int(object.spec?.replicas, 1);
    replicas = pool.replicas(specReplicas, int(object.status?.readyReplicas));
  }
  const containers: ContainerRecord[] = (
    Array.isArray(spec?.containers) ? spec.containers : []
  )
    .filter((c: any) => typeof c?.name === 'string')
    .map((c: any) => {
      const resources: Array<[string, string]> = [];
      for (const group of ['requests', 'limits'] as const) {
        for (const [resource, quantity] of Object.entries(
          c.resources?.[group] ?? {},
        )) {
          resources.push([`${group}.${resource}`, String(quantity)]);
        }
      }
      return {
        name: pool.string(c.name),
        image: pool.string(typeof c.image === 'string' ? c.image : ''),
        resources: pool.pairs(resources),
        env: (Array.isArray(c.env) ? c.env : [])
          .filter((e: any) => typeof e?.name === 'string')
          .map((e: any) => envRecord(e, fingerprinter, pool)),
      };
    });
  const version =
    object.metadata?.labels?.['app.kubernetes.io/version'] ??
    template?.metadata?.labels?.['app.kubernetes.io/version'];
  const namespace = object.metadata?.namespace;
  return {
    kind,
    name: pool.string(name),
    namespace:
      typeof namespace === 'string' ? pool.string(namespace) : undefined,
    labels: labelsOf(object.metadata?.labels, pool),
    selector: selectorOf(object.spec?.selector, pool),
    version: typeof version === 'string' ? pool.string(version) : undefined,
    specReplicas,
    replicas,
    status: workloadStatus(kind, object, replicas),
    containers,
    references: templateReferences(spec).map(r => ({
      type: r.type,
      name: pool.string(r.name),
      optional: r.optional,
    })),
  };
}

/** Keeps of a listed pod what the provider needs; undefined for pods that ended. */
export function podRecord(
  object: KubeObject,
  pool: RecordPool = new RecordPool(),
): PodRecord | undefined {
  const phase = object.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    return undefined;
  }
  const digests: Array<[string, string]> = [];
  const seen = new Set<unknown>();
  for (const status of Array.isArray(object.status?.containerStatuses)
    ? object.status.containerStatuses
    : []) {
    // the first status of a container name counts, as a lookup by name would
    if (seen.has(status?.name)) continue;
    seen.add(status?.name);
    const digest = runningDigest(status?.imageID);
    if (typeof status?.name === 'string' && digest) {
      digests.push([status.name, digest]);
    }
  }
  const namespace = object.metadata?.namespace;
  const record: PodRecord = {
    namespace:
      typeof namespace === 'string' ? pool.string(namespace) : undefined,
    labels: labelsOf(object.metadata?.labels, pool),
    digests: pool.pairs(digests),
  };
  // the pods of a workload are alike: one record for them all, listed
  // once per pod
  return pool.pod(record);
}

interface Labelled {
  namespace?: string;
  labels?: Record<string, string>;
}

/**
 * Objects selected by label selector and namespace in memory, in their
 * list order (as the API server would answer a list with that selector).
 * For a selector with an equality or `in` requirement (the usual
 * `backstage.io/kubernetes-id=<id>`), only the objects carrying one of its
 * values are looked at, through an index of that label key built on first
 * use.
 */
export class LabelledList<T extends Labelled> {
  /** Per label key: each value to the position of the one item carrying it, or to the positions of several. */
  private readonly indexes = new Map<string, Map<string, number | number[]>>();

  constructor(readonly items: T[]) {}

  select(selector: LabelSelectorObject, namespace?: string): T[] {
    const equality =
      selector.matchExpressions?.find(e => e.operator === 'In') ??
      firstMatchLabel(selector);
    let candidates: Iterable<T> = this.items;
    if (equality) {
      const index = this.index(equality.key);
      const positions = new Set<number>();
      for (const value of equality.values ?? []) {
        const at = index.get(value);
        if (typeof at === 'number') positions.add(at);
        else for (const i of at ?? []) positions.add(i);
      }
      candidates = [...positions].sort((a, b) => a - b).map(i => this.items[i]);
    }
    const selected: T[] = [];
    for (const item of candidates) {
      if (
        (namespace === undefined || item.namespace === namespace) &&
        matchesSelector(selector, item.labels)
      ) {
        selected.push(item);
      }
    }
    return selected;
  }

  private index(key: string): Map<string, number | number[]> {
    let index = this.indexes.get(key);
    if (!index) {
      const built = new Map<string, number | number[]>();
      this.items.forEach((item, i) => {
        const value = item.labels?.[key];
        if (
          typeof value === 'string' &&
          Object.prototype.hasOwnProperty.call(item.labels, key)
        ) {
          const positions = built.get(value);
          if (positions === undefined) built.set(value, i);
          else if (typeof positions === 'number')
            built.set(value, [positions, i]);
          else positions.push(i);
        }
      });
      // exact-size copies: a pushed-to array keeps room for many more
      // positions; a value on one item (most of them) has its position
      // alone, no array
      for (const [value, positions] of built) {
        if (typeof positions !== 'number' && positions.length > 2) {
          built.set(value, positions.slice());
        }
      }
      index = built;
      this.indexes.set(key, index);
    }
    return index;
  }
}

function firstMatchLabel(selector: LabelSelectorObject) {
  const [entry] = Object.entries(selector.matchLabels ?? {});
  return entry ? { key: entry[0], values: [entry[1]] } : undefined;
}

/** Every workload and pod of one cluster, listed cluster-wide. */
export interface ClusterInventory {
  /** Per workload kind read: its workloads, or undefined when the API does not serve the kind (no Rollout CRD). */
  workloads: Map<WorkloadKind, LabelledList<WorkloadRecord> | undefined>;
  pods: LabelledList<PodRecord>;
  /** When the listing started (the cache's clock). */
  listedAt: number;
}

/** Pages read at most per cluster-wide list (at 500 a page: 500,000 objects). */
export const INVENTORY_MAX_PAGES = 1000;

/**
 * Lists the workload kinds and pods of a cluster cluster-wide, page by
 * page, keeping only records. A Rollout kind that is not served is
 * remembered as undefined.
 */
export async function listInventory(
  client: KubernetesClient,
  options: {
    kinds: WorkloadKind[];
    pageSize: number;
    fingerprinter: ConfigFingerprinter;
    listedAt: number;
  },
): Promise<ClusterInventory> {
  const page = { pageSize: options.pageSize, maxPages: INVENTORY_MAX_PAGES };
  // one pool for the whole listing, dropped with it
  const pool = new RecordPool();
  const [pods, ...lists] = await Promise.all([
    client.list(RESOURCES.pods, {
      ...page,
      map: (object: KubeObject) => podRecord(object, pool),
    }),
    ...options.kinds.map(kind =>
      client.list(RESOURCES[KIND_RESOURCES[kind]], {
        ...page,
        optional: kind === 'Rollout',
        map: (object: KubeObject) =>
          workloadRecord(kind, object, options.fingerprinter, pool),
      }),
    ),
  ]);
  return {
    workloads: new Map(
      options.kinds.map((kind, i) => [
        kind,
        lists[i] ? new LabelledList(lists[i]!) : undefined,
      ]),
    ),
    pods: new LabelledList(pods ?? []),
    listedAt: options.listedAt,
  };
}
