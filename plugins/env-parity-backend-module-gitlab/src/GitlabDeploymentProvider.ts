import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  Deployment,
  DeploymentFinding,
  DeploymentLink,
} from '@env-parity/plugin-env-parity-common';
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
import { GitlabClient, GitlabProject } from './GitlabClient';

/** Deployments per page when looking for newer ones than the last success. */
const PER_PAGE = 20;
// v1.4.2, 1.4.2-rc.1, 2026.11.3: a ref that reads as a version
const VERSION_TAG = /^v?\d+(\.\d+)+([-+][0-9A-Za-z.+-]+)?$/;

/** What is kept of one entry of `GET /projects/:id/deployments`. */
export type DeploymentRecord = {
  id: number;
  sha: string;
  ref: string;
  status: string;
  createdAt?: string;
  finishedAt?: string;
  updatedAt?: string;
  user?: string;
  environmentId?: number;
  externalUrl?: string;
  pipelineUrl?: string;
  jobUrl?: string;
  tag?: boolean;
};

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}

/** Validates a deployments list and keeps what the provider needs. */
export function parseDeployments(body: unknown): DeploymentRecord[] {
  return asArray(body, 'the deployments list').map((item, i) => {
    const path = `deployments[${i}]`;
    const d = asRecord(item, path);
    const environment = isRecord(d.environment) ? d.environment : undefined;
    const deployable = isRecord(d.deployable) ? d.deployable : undefined;
    const pipeline =
      deployable && isRecord(deployable.pipeline)
        ? deployable.pipeline
        : undefined;
    return compact({
      id: requiredNumber(d, 'id', path),
      sha: requiredString(d, 'sha', path),
      ref: requiredString(d, 'ref', path),
      status: requiredString(d, 'status', path),
      createdAt: optionalString(d, 'created_at', path),
      finishedAt: optionalString(d, 'finished_at', path),
      updatedAt: optionalString(d, 'updated_at', path),
      user: optionalUserName(d, 'user', 'username', path),
      environmentId:
        typeof environment?.id === 'number' ? environment.id : undefined,
      externalUrl: environment
        ? optionalString(environment, 'external_url', `${path}.environment`)
        : undefined,
      pipelineUrl: pipeline
        ? optionalString(pipeline, 'web_url', `${path}.deployable.pipeline`)
        : undefined,
      jobUrl: deployable
        ? optionalString(deployable, 'web_url', `${path}.deployable`)
        : undefined,
      tag: typeof deployable?.tag === 'boolean' ? deployable.tag : undefined,
    });
  });
}

/**
 * The version of a deployment: its ref when the job ran for a tag or the
 * ref reads as a version (`v1.4.2`). A branch name is no version.
 */
export function versionOf(deployment: {
  ref: string;
  tag?: boolean;
}): string | undefined {
  const ref = deployment.ref.trim();
  if (!ref) {
    return undefined;
  }
  return deployment.tag || VERSION_TAG.test(ref) ? ref : undefined;
}

/**
 * Reads GitLab deployments: for each environment the newest successful
 * deployment (`status=success`, by `finished_at`), and whether a newer one
 * is running ("deploying"). Failed, canceled, blocked and running
 * deployments never count as what runs.
 *
 * @public
 */
export class GitlabDeploymentProvider implements DeploymentProvider {
  /** Above annotations (0): a deployment record is closer to what runs. */
  readonly precedence = 50;

  static fromConfig(
    config: Config,
    options: {
      logger: LoggerService;
      cache?: CacheService;
      /** Share one client with the comparer so both respect one rate limit. */
      client?: GitlabClient;
    },
  ): GitlabDeploymentProvider {
    return new GitlabDeploymentProvider(
      options.client ??
        GitlabClient.fromConfig(config, {
          logger: options.logger,
          cache: options.cache,
        }),
    );
  }

  constructor(private readonly client: GitlabClient) {}

  getProviderName() {
    return 'gitlab';
  }

  supports(entity: Entity): boolean {
    return this.client.hasProject(entity);
  }

  async observe(request: ObserveRequest): Promise<ProviderObservation[]> {
    const { entity, environments, signal } = request;
    // a bad annotation, a missing integration, a refused token or an
    // unknown project fail every environment
    const project = await this.client.project(
      this.client.locate(entity),
      signal,
    );
    const mapping = this.client.options.environments;
    const observations = await Promise.all(
      environments.map(
        async (env): Promise<ProviderObservation | undefined> => {
          const gitlabEnvironment = mapping[env.name] ?? env.name;
          try {
            const deployment = await this.observeEnvironment(
              project,
              gitlabEnvironment,
              signal,
            );
            return deployment
              ? { environment: env.name, deployment }
              : undefined;
          } catch (error) {
            return { environment: env.name, error: errorText(error) };
          }
        },
      ),
    );
    return observations.filter((o): o is ProviderObservation => Boolean(o));
  }

  private deploymentsPath(
    project: GitlabProject,
    environment: string,
    query: Record<string, string>,
  ) {
    const search = new URLSearchParams({ environment, ...query });
    return `${this.client.projectPath(project.id)}/deployments?${search}`;
  }

  private async observeEnvironment(
    project: GitlabProject,
    environment: string,
    signal?: AbortSignal,
  ): Promise<Deployment | undefined> {
    const { data: latest } = await this.client.get(
      project.host,
      this.deploymentsPath(project, environment, {
        status: 'success',
        order_by: 'finished_at',
        sort: 'desc',
        per_page: '1',
      }),
      { signal, parse: parseDeployments, conditional: true },
    );
    const success = latest[0];
    if (!success) {
      return undefined;
    }
    const running = await this.runningSince(
      project,
      environment,
      success.id,
      signal,
    );
    return this.toDeployment(project, success, running);
  }

  /**
   * The newest running deployment newer than the given one: walks the
   * environment's deployments newest first (skipping failed, canceled and
   * waiting ones) until it reaches that one, at most `maxPages` pages.
   */
  private async runningSince(
    project: GitlabProject,
    environment: string,
    successId: number,
    signal?: AbortSignal,
  ): Promise<DeploymentRecord | undefined> {
    let url: string | undefined = this.deploymentsPath(project, environment, {
      order_by: 'id',
      sort: 'desc',
      per_page: String(PER_PAGE),
    });
    for (let page = 0; url && page < this.client.options.maxPages; page += 1) {
      const response: { data: DeploymentRecord[]; next?: string } =
        await this.client.get(project.host, url, {
          signal,
          parse: parseDeployments,
          conditional: true,
        });
      for (const deployment of response.data) {
        if (deployment.id <= successId) {
          return undefined;
        }
        if (deployment.status === 'running') {
          return deployment;
        }
      }
      url = response.next;
    }
    return undefined;
  }

  private toDeployment(
    project: GitlabProject,
    deployment: DeploymentRecord,
    running?: DeploymentRecord,
  ): Deployment {
    const version = versionOf(deployment);
    const deployedAt =
      isoTime(deployment.finishedAt) ??
      isoTime(deployment.updatedAt) ??
      isoTime(deployment.createdAt);
    const url = httpUrl(deployment.externalUrl);
    const links: DeploymentLink[] = [];
    const pipeline =
      httpUrl(deployment.pipelineUrl) ?? httpUrl(deployment.jobUrl);
    if (pipeline) {
      links.push({ title: 'GitLab pipeline', url: pipeline });
    }
    links.push({
      title: 'GitLab environment',
      url:
        deployment.environmentId !== undefined
          ? `${project.webUrl}/-/environments/${deployment.environmentId}`
          : `${project.webUrl}/-/environments`,
    });
    links.push({
      title: 'Commit',
      url: `${project.webUrl}/-/commit/${deployment.sha}`,
    });
    const findings: DeploymentFinding[] = [];
    if (running) {
      const runningPipeline =
        httpUrl(running.pipelineUrl) ?? httpUrl(running.jobUrl);
      if (runningPipeline) {
        links.push({
          title: 'GitLab pipeline (deploying)',
          url: runningPipeline,
        });
      }
      const since = isoTime(running.createdAt);
      const ref =
        running.ref && running.ref !== running.sha ? ` (${running.ref})` : '';
      findings.push({
        type: 'deploying',
        severity: 'info',
        message: `Deploying ${running.sha.slice(0, 7)}${ref}${
          running.user ? ` by ${running.user}` : ''
        }${
          since ? ` since ${since}` : ''
        }; until it succeeds, ${deployment.sha.slice(0, 7)} runs here.`,
      });
    }
    return {
      revision: deployment.sha,
      ...(version ? { version } : {}),
      ...(deployedAt ? { deployedAt } : {}),
      ...(deployment.user ? { deployedBy: deployment.user } : {}),
      ...(url ? { url } : {}),
      links,
      ...(findings.length ? { findings } : {}),
    };
  }
}
