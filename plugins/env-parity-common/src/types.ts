/**
 * One environment a service is deployed to, in promotion order.
 *
 * @public
 */
export interface EnvironmentDefinition {
  /** Stable name used in annotations and URLs, e.g. `staging`. */
  name: string;
  /** Human readable title, e.g. `Staging`. */
  title: string;
  /** True for the environment every other one is compared against (production). */
  reference: boolean;
  /** Entity ref of the group that owns the environment, e.g. `group:default/sre`. */
  owner?: string;
  /** Where the definition came from: a production replica is one more environment while it is active. */
  source: 'config' | 'catalog' | 'replica';
  /** Set on a production replica's environment. */
  replica?: {
    id: string;
    /** User entity ref of whoever launched it. */
    requester: string;
    /** ISO 8601. */
    expiresAt: string;
    /** The one workload image that differs from production's, when launched with a change. */
    override?: { workload: string; image: string };
  };
}

/**
 * A fingerprint of one configuration key: a hash of its value, never the value of a secret.
 *
 * @public
 */
export interface ConfigFingerprint {
  /** A hash of the value, stable across observations. */
  hash: string;
  /** The value itself, only where the provider states it is safe to show. */
  value?: string;
  /** True when the key holds a secret; its value is never recorded. */
  secret?: boolean;
  /**
   * True when the provider knows the key but could not read its value (e.g.
   * Secrets it may not read): the key is never compared, so a permission gap
   * in one environment does not read as drift.
   */
  unknown?: boolean;
}

/**
 * A link a provider knows for a deployment (the commit, a build, a deployment record).
 *
 * @public
 */
export interface DeploymentLink {
  title: string;
  url: string;
}

/**
 * One image a running resource uses, with the digests actually running.
 *
 * @public
 */
export interface RunningImage {
  /** The container (Kubernetes) or empty for an Argo CD summary image. */
  container?: string;
  /** The image as the spec names it, e.g. `ghcr.io/acme/api:1.4.2`. */
  image: string;
  /**
   * The `sha256:` digests the running pods report, one per distinct digest;
   * more than one means pods of one workload run different builds.
   */
  digests?: string[];
}

/**
 * A workload or application that runs the service: a Kubernetes
 * Deployment, StatefulSet, DaemonSet or Rollout, or an Argo CD Application.
 *
 * @public
 */
export interface RunningResource {
  /** e.g. `Deployment`, `StatefulSet`, `Rollout`, `Application`. */
  kind: string;
  name: string;
  namespace?: string;
  /** Where it runs or is managed: a cluster name or an Argo CD instance name. */
  location?: string;
  /** Desired and ready replicas, for workloads. */
  replicas?: { desired: number; ready: number };
  /** A short status, e.g. `Synced / Healthy`, `Progressing`. */
  status?: string;
  images?: RunningImage[];
  /** Extra facts safe to show, e.g. `revision`, `destination`, `lastSync`. */
  details?: Record<string, string>;
}

/**
 * Something a provider noticed that is worth telling on its own, e.g. pods of
 * one workload running different digests (a rollout in progress or stuck).
 *
 * @public
 */
export interface DeploymentFinding {
  /** e.g. `mixed-digests`, `out-of-sync`, `degraded`. */
  type: string;
  severity: 'info' | 'warning';
  /** One sentence, safe to show. */
  message: string;
  /** The running resource it is about, when it is about one. */
  resource?: { kind: string; name: string; location?: string };
}

/**
 * What runs in one environment, as one provider saw it.
 *
 * @public
 */
export interface Deployment {
  /** Version label, e.g. `1.4.2`. */
  version?: string;
  /** Git revision (full or abbreviated SHA). */
  revision?: string;
  /** Artifact reference, ideally an image with an `@sha256:` digest. */
  artifact?: string;
  /** ISO 8601 timestamp of the deployment. */
  deployedAt?: string;
  /** Who or what deployed it. */
  deployedBy?: string;
  /** Base URL of the environment's instance of the service. */
  url?: string;
  /** Configuration fingerprints, key to fingerprint. */
  config?: Record<string, ConfigFingerprint>;
  /** Links to the commit, build or deployment record. */
  links?: DeploymentLink[];
  /** The workloads or applications seen running it. */
  resources?: RunningResource[];
  /** Findings worth showing on their own, such as mixed digests. */
  findings?: DeploymentFinding[];
}

/**
 * What one provider saw for one entity in one environment at one time.
 *
 * @public
 */
export interface Observation {
  entityRef: string;
  environment: string;
  provider: string;
  /** ISO 8601 time of the observation. */
  observedAt: string;
  /** What runs there; absent when the provider found nothing or failed. */
  deployment?: Deployment;
  /** Why the provider could not observe this environment. */
  error?: string;
}

/**
 * The latest known state for one (entity, environment, provider).
 *
 * A failed observation keeps the last good deployment, so the report can show
 * it marked stale next to the error.
 *
 * @public
 */
export interface Snapshot {
  entityRef: string;
  environment: string;
  provider: string;
  /** The last good deployment, if there ever was one. */
  deployment?: Deployment;
  /** The error of the latest observation, if it failed. */
  error?: string;
  /** When the deployment was last observed successfully. */
  observedAt?: string;
  /** When the provider was last asked, successfully or not. */
  checkedAt: string;
  /** When the deployment last changed. */
  changedAt?: string;
}

/**
 * The fixed set of verdicts one environment gets against the reference.
 *
 * @public
 */
export type Verdict =
  | 'in-sync'
  | 'config-drift'
  | 'ahead'
  | 'behind'
  | 'diverged'
  | 'tag-mismatch'
  | 'different'
  | 'unknown';

/**
 * All verdicts, in display order. Which environment is closest to the
 * reference is decided by score, not by this order.
 *
 * @public
 */
export const VERDICTS: readonly Verdict[] = [
  'in-sync',
  'config-drift',
  'ahead',
  'behind',
  'diverged',
  'tag-mismatch',
  'different',
  'unknown',
] as const;

/**
 * One way an environment differs from the reference.
 *
 * @public
 */
export interface DriftItem {
  type: 'version' | 'revision' | 'artifact' | 'config' | 'missing';
  /** The field or configuration key that differs. */
  field: string;
  /** What kind of change, seen from the reference towards this environment. */
  change: 'added' | 'removed' | 'changed';
  /** The reference's value, omitted for secrets. */
  reference?: string;
  /** This environment's value, omitted for secrets. */
  environment?: string;
}

/**
 * One setting whose configuration differs from the reference, with every
 * configuration key that expresses it.
 *
 * @public
 */
export interface ConfigSettingDrift {
  /** The setting in words, e.g. `instant refunds` or `DATABASE_URL`. */
  name: string;
  /** How the setting changed, seen from the reference towards the environment. */
  change: DriftItem['change'];
  /** The reference's value, absent when secret or unknown. */
  reference?: string;
  /** This environment's value, absent when secret or unknown. */
  environment?: string;
  /** True when any key expressing it is secret: no value is shown for any of them. */
  secret: boolean;
  /** The drift items of the keys that express it, values removed when secret. */
  sources: DriftItem[];
}

/**
 * One commit between two revisions.
 *
 * @public
 */
export interface CommitSummary {
  sha: string;
  message: string;
  author?: string;
  url?: string;
  /** The number of the pull request (GitHub) or merge request (GitLab) the commit came from. */
  pullRequest?: number;
  /**
   * Link to that pull request or merge request, where the SCM tells one; a
   * GitLab merge request's link holds `/-/merge_requests/`.
   */
  pullRequestUrl?: string;
}

/**
 * How two revisions relate, as an SCM tells it.
 *
 * @public
 */
export interface RevisionComparison {
  status: 'identical' | 'ahead' | 'behind' | 'diverged';
  /** Commits the head has that the base does not. */
  aheadBy: number;
  /** Commits the base has that the head does not. */
  behindBy: number;
  /** The first commits the head has that the base does not (ahead). */
  commits?: CommitSummary[];
  /**
   * The first commits the base has that the head does not (behind): for a
   * reference base, what the reference runs and this environment lacks, such
   * as a hotfix.
   */
  commitsMissing?: CommitSummary[];
  /** Link to the full comparison. */
  url?: string;
}

/**
 * One environment compared with the reference environment.
 *
 * @public
 */
export interface EnvironmentComparison {
  environment: string;
  against: string;
  verdict: Verdict;
  /** 0 (nothing alike or unknown) to 100 (in sync). */
  score: number;
  commitsAhead?: number;
  commitsBehind?: number;
  /** The first commits this environment has that the reference does not. */
  commits?: CommitSummary[];
  /**
   * The first commits the reference has that this environment does not
   * (e.g. a hotfix made in production): in the reference, missing here.
   */
  commitsMissing?: CommitSummary[];
  /** Link to the full comparison of the two revisions, where the SCM has one. */
  compareUrl?: string;
  drift: DriftItem[];
  /**
   * The configuration drift grouped by the setting it expresses: one key may
   * appear as a ConfigMap key, a container's environment variable and a Helm
   * value; see {@link groupConfigDrift}.
   */
  settings?: ConfigSettingDrift[];
  /**
   * Configuration keys that differ but are expected to
   * (`envParity.config.ignore`, annotation `env-parity/ignore-config`); they
   * count for neither verdict nor score.
   */
  ignoredConfig?: string[];
  /** One sentence about this environment. */
  summary: string;
}

/**
 * The state of one environment in a report: whether what it shows is current.
 *
 * - `ok`: what is shown was observed successfully and recently; check
 *   {@link ReportEnvironment.partial} for whether every provider answered.
 * - `stale`: what is shown may be outdated: a provider that supplied part of
 *   it failed since (its last good data is shown), or the observation is older
 *   than the configured limit.
 * - `error`: nothing can be shown, and at least one provider failed.
 * - `missing`: no provider reported a deployment.
 *
 * @public
 */
export type EnvironmentStatus = 'ok' | 'stale' | 'error' | 'missing';

/**
 * A provider whose latest observation of an environment failed.
 *
 * @public
 */
export interface ProviderFailure {
  /** The provider's name, e.g. `github` or `http`. */
  provider: string;
  /** Why it failed, as the collector recorded it: safe to show. */
  error: string;
  /** When the provider was last asked (and failed). */
  checkedAt: string;
  /**
   * When the provider last answered successfully for this environment;
   * absent when it never has, or that is not known.
   */
  lastAnsweredAt?: string;
}

/**
 * A deployment as shown in a report, merged across providers.
 *
 * @public
 */
export interface ReportedDeployment extends Deployment {
  /** The provider that supplied most of it. */
  provider: string;
  /** Every provider that contributed. */
  providers: string[];
}

/**
 * One environment in a report.
 *
 * @public
 */
export interface ReportEnvironment {
  name: string;
  title: string;
  reference: boolean;
  owner?: string;
  /** Set when the environment is an active production replica (see `EnvironmentDefinition.replica`). */
  replica?: EnvironmentDefinition['replica'];
  status: EnvironmentStatus;
  /** When the shown deployment was last observed successfully. */
  observedAt?: string;
  /** When a provider was last asked about it. */
  checkedAt?: string;
  deployment?: ReportedDeployment;
  /** Errors, one line per failing provider: `<provider>: <error>`. */
  error?: string;
  /**
   * True when at least one provider answered and at least one failed: the
   * deployment shown, and the verdict computed from it, rest on partial data.
   * Independent of `status`, which says whether what is shown is current (a
   * failed provider whose last good data is still shown makes it `stale`, and
   * then both hold).
   */
  partial?: boolean;
  /**
   * One entry per provider whose latest observation failed, in the order of
   * the lines of `error`; absent when none failed.
   */
  failures?: ProviderFailure[];
}

/**
 * The parity report of one entity.
 *
 * @public
 */
export interface ParityReport {
  entityRef: string;
  /** Name of the reference environment. */
  reference: string;
  environments: ReportEnvironment[];
  comparisons: EnvironmentComparison[];
  /** Name of the non-reference environment most like the reference. */
  closestToReference?: string;
  /** The answer, in words. */
  summary: string;
  /**
   * Problems that belong to no configured environment, e.g. an annotation
   * naming an environment that is not configured.
   */
  warnings?: string[];
  /** When the report was computed. */
  generatedAt: string;
}
