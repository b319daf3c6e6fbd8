import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { Deployment } from '@env-parity/plugin-env-parity-common';
import {
  asArray,
  asRecord,
  DeploymentProvider,
  errorText,
  httpUrl,
  isoTime,
  isRecord,
  ObserveRequest,
  optionalString,
  optionalUserName,
  ProviderObservation,
  requiredNumber,
  requiredString,
} from '@env-parity/plugin-env-parity-node';
import { GithubClient, GithubRepository } from './GithubClient';

const PER_PAGE = 30;
const TAG_PREFIX = 'refs/tags/';
// v1.4.2, 1.4.2-rc.1, 2026.11.3: a ref that reads as a version
const VERSION_TAG = /^v?\d+(\.\d+)+([-+][0-9A-Za-z.+-]+)?$/;

/** What is kept of one entry of `GET /repos/{owner}/{repo}/deployments`. */
type DeploymentRecord = {
  id: number;
  sha: string;
  ref: string;
  createdAt?: string;
  creator?: string;
  payloadVersion?: string;
};

/** What is kept of the latest entry of `GET .../deployments/{id}/statuses`. */
type StatusRecord = {
  state: string;
  createdAt?: string;
  environmentUrl?: string;
  logUrl?: string;
  targetUrl?: string;
};

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}

export function parseDeployments(body: unknown): DeploymentRecord[] {
  return asArray(body, 'the deployments list').map((item, i) => {
    const path = `deployments[${i}]`;
    const d = asRecord(item, path);
    const payload = d.payload;
    const payloadVersion =
      isRecord(payload) &&
      typeof payload.version === 'string' &&
      payload.version.trim() &&
      payload.version.length <= 200
        ? payload.version.trim()
        : undefined;
    return compact({
      id: requiredNumber(d, 'id', path),
      sha: requiredString(d, 'sha', path),
      ref: requiredString(d, 'ref', path),
      createdAt: optionalString(d, 'created_at', path),
      creator: optionalUserName(d, 'creator', 'login', path),
      payloadVersion,
    });
  });
}

export function parseLatestStatus(body: unknown): StatusRecord | null {
  const list = asArray(body, 'the deployment statuses list');
  if (list.length === 0) {
    return null;
  }
  const s = asRecord(list[0], 'statuses[0]');
  const path = 'statuses[0]';
  return compact({
    state: requiredString(s, 'state', path),
    createdAt: optionalString(s, 'created_at', path),
    environmentUrl: optionalString(s, 'environment_url', path),
    logUrl: optionalString(s, 'log_url', path),
    targetUrl: optionalString(s, 'target_url', path),
  });
}

/**
 * The version of a deployment: `payload.version` when the deploying tool
 * set one, else the ref when it is a tag (`refs/tags/...`) or reads as a
 * version (`v1.4.2`). A branch name or a SHA is no version.
 */
export function versionOf(deployment: {
  ref: string;
  payloadVersion?: string;
}): string | undefined {
  if (deployment.payloadVersion) {
    return deployment.payloadVersion;
  }
  const ref = deployment.ref.trim();
  if (ref.startsWith(TAG_PREFIX) && ref.length > TAG_PREFIX.length) {
    return ref.slice(TAG_PREFIX.length);
  }
  return VERSION_TAG.test(ref) ? ref : undefined;
}

/**
 * Reads GitHub deployments: for each environment, the newest deployment
 * whose latest status is `success`.
 *
 * @public
 */
export class GithubDeploymentProvider implements DeploymentProvider {
  /** Above annotations (0): a deployment record is closer to what runs. */
  readonly precedence = 50;

  static fromConfig(
    config: Config,
    options: {
      logger: LoggerService;
      cache?: CacheService;
      /** Share one client with the comparer so both respect one rate limit. */
      client?: GithubClient;
    },
  ): GithubDeploymentProvider {
    return new GithubDeploymentProvider(
      options.client ??
        GithubClient.fromConfig(config, {
          logger: options.logger,
          cache: options.cache,
        }),
    );
  }

  constructor(private readonly client: GithubClient) {}

  getProviderName() {
    return 'github';
  }

  supports(entity: Entity): boolean {
    return this.client.hasRepository(entity);
  }

  async observe(request: ObserveRequest): Promise<ProviderObservation[]> {
    const { entity, environments, signal } = request;
    // a bad slug, a missing integration or credentials fail every environment
    const repository = await this.client.connect(this.client.locate(entity));
    const mapping = this.client.options.environments;
    const observations = await Promise.all(
      environments.map(
        async (env): Promise<ProviderObservation | undefined> => {
          const githubEnvironment = mapping[env.name] ?? env.name;
          try {
            const deployment = await this.latestSuccessful(
              repository,
              githubEnvironment,
              signal,
            );
            return deployment
              ? { environment: env.name, deployment }
              : undefined;
          } catch (error) {
            return {
              environment: env.name,
              error: errorText(error),
            };
          }
        },
      ),
    );
    return observations.filter((o): o is ProviderObservation => Boolean(o));
  }

  private async latestSuccessful(
    repository: GithubRepository,
    environment: string,
    signal?: AbortSignal,
  ): Promise<Deployment | undefined> {
    const { owner, repo } = repository;
    const base = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(
      repo,
    )}`;
    let url:
      | string
      | undefined = `${base}/deployments?environment=${encodeURIComponent(
      environment,
    )}&per_page=${PER_PAGE}`;
    for (let page = 0; url && page < this.client.options.maxPages; page += 1) {
      const { data, next }: { data: DeploymentRecord[]; next?: string } =
        await this.client.get(repository, url, {
          signal,
          parse: parseDeployments,
          conditional: true,
        });
      // GitHub lists deployments newest first
      for (const deployment of data) {
        const { data: status } = await this.client.get(
          repository,
          `${base}/deployments/${deployment.id}/statuses?per_page=1`,
          { signal, parse: parseLatestStatus, conditional: true },
        );
        if (status?.state === 'success') {
          return this.toDeployment(repository, environment, deployment, status);
        }
      }
      url = next;
    }
    return undefined;
  }

  private toDeployment(
    repository: GithubRepository,
    environment: string,
    deployment: DeploymentRecord,
    status: StatusRecord,
  ): Deployment {
    const version = versionOf(deployment);
    const deployedAt =
      isoTime(status.createdAt) ?? isoTime(deployment.createdAt);
    const url = httpUrl(status.environmentUrl);
    return {
      revision: deployment.sha,
      ...(version ? { version } : {}),
      ...(deployedAt ? { deployedAt } : {}),
      ...(deployment.creator ? { deployedBy: deployment.creator } : {}),
      ...(url ? { url } : {}),
      links: [
        {
          title: 'GitHub deployment',
          url:
            httpUrl(status.logUrl) ??
            httpUrl(status.targetUrl) ??
            `${repository.htmlUrl}/deployments/${encodeURIComponent(
              environment,
            )}`,
        },
        {
          title: 'Commit',
          url: `${repository.htmlUrl}/commit/${deployment.sha}`,
        },
      ],
    };
  }
}
