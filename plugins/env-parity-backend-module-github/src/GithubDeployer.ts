import { Config } from '@backstage/config';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  AlignmentDeployerContext,
  AlignmentDeployerDescription,
  AlignmentDeployRequest,
  AlignmentDispatchResult,
  EnvParityDeployer,
} from '@env-parity/plugin-env-parity-node';
import {
  GithubApiError,
  GithubClient,
  GithubRateLimitError,
  GithubRepository,
} from './GithubClient';

/** The config key of the deployer's own settings. */
export const ALIGN_CONFIG_KEY = 'envParity.align.github';

/**
 * A workflow to dispatch instead of creating a deployment.
 *
 * @public
 */
export interface GithubDeployerWorkflow {
  /** The workflow's file name (e.g. `deploy.yml`) or id. */
  file: string;
  /** The branch or tag the workflow runs from. */
  ref: string;
}

/** Reads `envParity.align.github`. */
export function readGithubDeployerOptions(config: Config): {
  workflow?: GithubDeployerWorkflow;
} {
  const workflow = config.getOptionalConfig(`${ALIGN_CONFIG_KEY}.workflow`);
  if (!workflow) {
    return {};
  }
  const file = workflow.getString('file').trim();
  if (!/^[\w.-]+$/.test(file)) {
    throw new InputError(
      `${ALIGN_CONFIG_KEY}.workflow.file must be a workflow file name such as deploy.yml, or its id`,
    );
  }
  return {
    workflow: {
      file,
      ref: workflow.getOptionalString('ref')?.trim() || 'main',
    },
  };
}

/** A GitHub failure as the `@backstage/errors` error the lifecycle shows. */
function toDeployerError(error: unknown): Error {
  if (!(error instanceof GithubApiError)) {
    return error as Error;
  }
  const { message, status } = error;
  if (error instanceof GithubRateLimitError || status === undefined) {
    return new ServiceUnavailableError(message);
  }
  if (status === 401) return new AuthenticationError(message);
  if (status === 403) return new NotAllowedError(message);
  if (status === 404) return new NotFoundError(message);
  if (status === 409) return new ConflictError(message);
  if (status >= 400 && status < 500) return new InputError(message);
  return new ServiceUnavailableError(message);
}

/**
 * The `github` alignment deployer: creates a GitHub deployment of
 * production's commit to the environment (a POST to the repository's
 * deployments, `auto_merge: false`, no required contexts, the version and
 * artifact in its payload); the repository's own workflow on the
 * `deployment` event rolls it out. With
 * `envParity.align.github.workflow`, it dispatches that workflow instead,
 * with the inputs `environment`, `ref` and `artifact`. Credentials come
 * from `integrations.github`, through the module's one GitHub client.
 *
 * @public
 */
export class GithubDeployer implements EnvParityDeployer {
  readonly id = 'github';

  static fromConfig(config: Config, client: GithubClient): GithubDeployer {
    return new GithubDeployer(client, readGithubDeployerOptions(config));
  }

  constructor(
    private readonly client: GithubClient,
    private readonly options: { workflow?: GithubDeployerWorkflow } = {},
  ) {}

  private githubEnvironment(environment: string): string {
    return this.client.options.environments[environment] ?? environment;
  }

  async describe(
    context: AlignmentDeployerContext,
  ): Promise<AlignmentDeployerDescription> {
    let slug = 'its repository';
    try {
      const { owner, repo } = this.client.locate(context.entity);
      slug = `${owner}/${repo}`;
    } catch {
      // the dispatch says what is wrong with the annotation
    }
    const environment = this.githubEnvironment(context.environment.name);
    const { workflow } = this.options;
    return {
      summary: workflow
        ? `Runs the GitHub workflow ${workflow.file} of ${slug} to deploy production's commit to ${environment}`
        : `Creates a GitHub deployment of production's commit to ${environment} in ${slug}, which its deployment workflow rolls out`,
      carriesConfig: [],
    };
  }

  async dispatch(
    request: AlignmentDeployRequest,
    options: {
      idempotencyKey: string;
      signal: AbortSignal;
      context: AlignmentDeployerContext;
    },
  ): Promise<AlignmentDispatchResult> {
    const { target } = request;
    if (!target.revision) {
      throw new InputError(
        "Production's commit is unknown, and a GitHub deployment needs one",
      );
    }
    try {
      const repository = await this.client.connect(
        this.client.locate(options.context.entity),
      );
      const environment = this.githubEnvironment(request.environment);
      return this.options.workflow
        ? await this.runWorkflow(
            repository,
            this.options.workflow,
            environment,
            request,
            options.signal,
          )
        : await this.deploy(repository, environment, request, options.signal);
    } catch (error) {
      throw toDeployerError(error);
    }
  }

  private base(repository: GithubRepository) {
    return `/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(
      repository.repo,
    )}`;
  }

  private async deploy(
    repository: GithubRepository,
    environment: string,
    request: AlignmentDeployRequest,
    signal: AbortSignal,
  ): Promise<AlignmentDispatchResult> {
    const { target } = request;
    const slug = `${repository.owner}/${repository.repo}`;
    const created = (await this.client.post(
      repository,
      `${this.base(repository)}/deployments`,
      {
        ref: target.revision,
        task: 'deploy',
        environment,
        auto_merge: false,
        required_contexts: [],
        description: `Align ${environment} with production (Env Parity)`,
        transient_environment: false,
        production_environment: false,
        payload: {
          ...(target.version && { version: target.version }),
          ...(target.artifact && { artifact: target.artifact }),
          ...(target.digest && { digest: target.digest }),
          alignmentId: request.alignmentId,
          requester: request.requester,
        },
      },
      {
        signal,
        access: 'Deployments: write',
        notFound: `GitHub answered 404 for the deployments of ${slug}: the repository does not exist or the credentials cannot see it`,
      },
    )) as { id?: unknown; message?: unknown } | undefined;
    const id = typeof created?.id === 'number' ? created.id : undefined;
    if (id === undefined) {
      // 202: GitHub merged the default branch first and made no deployment
      throw new ConflictError(
        `GitHub created no deployment of ${
          target.revision
        } to ${environment} in ${slug}${
          typeof created?.message === 'string'
            ? `: ${created.message.slice(0, 200)}`
            : ''
        }`,
      );
    }
    return {
      reference: `${repository.htmlUrl}/deployments/${encodeURIComponent(
        environment,
      )}#${id}`,
      message: `GitHub deployment ${id} of ${target.revision!.slice(
        0,
        7,
      )} to ${environment} created in ${slug}`,
    };
  }

  private async runWorkflow(
    repository: GithubRepository,
    workflow: GithubDeployerWorkflow,
    environment: string,
    request: AlignmentDeployRequest,
    signal: AbortSignal,
  ): Promise<AlignmentDispatchResult> {
    const { target } = request;
    const slug = `${repository.owner}/${repository.repo}`;
    await this.client.post(
      repository,
      `${this.base(repository)}/actions/workflows/${encodeURIComponent(
        workflow.file,
      )}/dispatches`,
      {
        ref: workflow.ref,
        inputs: {
          environment,
          ref: target.revision,
          artifact: target.artifact ?? '',
        },
      },
      {
        signal,
        access: 'Actions: write',
        notFound: `GitHub answered 404 for the workflow ${workflow.file} of ${slug} (${ALIGN_CONFIG_KEY}.workflow.file): it does not exist or the credentials cannot see it`,
      },
    );
    return {
      reference: `${repository.htmlUrl}/actions/workflows/${encodeURIComponent(
        workflow.file,
      )}`,
      message: `GitHub workflow ${workflow.file} dispatched on ${
        workflow.ref
      } in ${slug} to deploy ${target.revision!.slice(0, 7)} to ${environment}`,
    };
  }
}
