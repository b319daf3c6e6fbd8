import type { FakeRepo } from './FakeGithub';

/*
 * The calls of the fake GitHub that change something, answered as GitHub
 * does (REST API 2022-11-28):
 *
 * - `POST /repos/{owner}/{repo}/deployments` → 201 and the deployment
 *   (`ref` a branch, tag or SHA; 422 `No ref found for: x` otherwise; 409
 *   when `auto_merge` is true and the ref is behind the default branch);
 * - `POST /repos/{owner}/{repo}/deployments/{id}/statuses` → 201;
 * - `POST /repos/{owner}/{repo}/actions/workflows/{id}/dispatches` → 204
 *   (404 for a workflow the repository does not have, 422 for a ref it
 *   does not have, a workflow without `workflow_dispatch`, or inputs it
 *   does not declare).
 *
 * The organisation's delivery "rolls out" at once unless told otherwise: a
 * new deployment gets `in_progress` then `success` (the previous successful
 * deployment of that environment goes `inactive`, as `auto_inactive` does),
 * and a dispatched workflow creates such a deployment of its `ref` to its
 * `environment` input. Listeners added with `onDeployment` hear of each.
 */

/** A workflow of a repository, as `addWorkflow` declares it. */
export interface FakeWorkflow {
  id: number;
  /** The file name, e.g. `deploy.yml`. */
  file: string;
  /** The `workflow_dispatch` inputs it declares; none: no such trigger. */
  inputs?: string[];
}

/** A deployment that rolled out, for whoever plays the environment (the demo). */
export interface GithubRollout {
  /** `owner/repo`. */
  repository: string;
  deploymentId: number;
  environment: string;
  sha: string;
  ref: string;
  payload: unknown;
  creator: string;
}

/** What the write calls need of the fake. */
export interface GithubWriteContext {
  send(status: number, body: unknown): void;
  notFound(docs: string): void;
  deploymentBody(id: number): unknown;
  /** Whether deployments succeed at once (true by default). */
  rollOut: boolean;
  /** The login of the token's owner. */
  login: string;
  emit(rollout: GithubRollout): void;
  docs: string;
}

const DOCS_DEPLOYMENTS = 'deployments/deployments#create-a-deployment';

function validation(ctx: GithubWriteContext, message: string, doc: string) {
  ctx.send(422, {
    message,
    documentation_url: `${ctx.docs}/${doc}`,
    status: '422',
  });
}

/**
 * Creates a deployment with `in_progress` then `success`, retiring the
 * last one (only `queued` when the fake does not roll out).
 */
export function deploy(
  ctx: Pick<GithubWriteContext, 'rollOut' | 'emit'>,
  repo: FakeRepo,
  d: {
    sha: string;
    ref: string;
    environment: string;
    payload: unknown;
    creator: string;
  },
): number {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const states = ctx.rollOut ? ['in_progress', 'success'] : ['queued'];
  if (ctx.rollOut) {
    for (const old of repo.deployments) {
      if (
        old.environment === d.environment &&
        old.statuses.at(-1)?.state === 'success'
      ) {
        old.statuses.push({
          id: repo.nextId(),
          state: 'inactive',
          created_at: now,
        });
      }
    }
  }
  const id = repo.deploy({
    environment: d.environment,
    sha: d.sha,
    ref: d.ref,
    payload: d.payload,
    creator: d.creator,
    createdAt: now,
    statuses: states.map(state => ({ state, createdAt: now })),
  });
  if (ctx.rollOut) {
    ctx.emit({
      repository: repo.fullName,
      deploymentId: id,
      environment: d.environment,
      sha: d.sha,
      ref: d.ref,
      payload: d.payload,
      creator: d.creator,
    });
  }
  return id;
}

/**
 * Answers a write under `/repos/{owner}/{repo}/`; `rest` is what follows.
 * Returns false when `rest` is no write the fake knows.
 */
export function answerWrite(
  ctx: GithubWriteContext,
  repo: FakeRepo,
  rest: string,
  body: any,
): boolean {
  const statuses = /^deployments\/(\d+)\/statuses$/.exec(rest);
  const dispatch = /^actions\/workflows\/([^/]+)\/dispatches$/.exec(rest);
  if (rest === 'deployments') {
    if (typeof body?.ref !== 'string' || !body.ref) {
      validation(
        ctx,
        'Invalid request.\n\n"ref" wasn\'t supplied.',
        DOCS_DEPLOYMENTS,
      );
      return true;
    }
    const commit = repo.resolve(body.ref);
    if (!commit) {
      validation(ctx, `No ref found for: ${body.ref}`, DOCS_DEPLOYMENTS);
      return true;
    }
    const main = repo.branches.get('main');
    if (
      body.auto_merge !== false &&
      main &&
      !repo.ancestors(commit.sha).has(main)
    ) {
      ctx.send(409, {
        message: 'Conflict merging main into the deployed ref.',
        documentation_url: `${ctx.docs}/${DOCS_DEPLOYMENTS}`,
        status: '409',
      });
      return true;
    }
    const id = deploy(ctx, repo, {
      sha: commit.sha,
      ref: body.ref,
      environment:
        typeof body.environment === 'string' ? body.environment : 'production',
      payload: body.payload ?? {},
      creator: ctx.login,
    });
    ctx.send(201, ctx.deploymentBody(id));
    return true;
  }
  if (statuses) {
    const deployment = repo.deployments.find(d => d.id === Number(statuses[1]));
    if (!deployment) {
      ctx.notFound('deployments/statuses#create-a-deployment-status');
      return true;
    }
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = {
      id: repo.nextId(),
      state: String(body?.state ?? ''),
      created_at: now,
      ...(body?.environment_url && { environment_url: body.environment_url }),
      ...(body?.log_url && { log_url: body.log_url }),
    };
    deployment.statuses.push(status);
    ctx.send(201, { id: status.id, state: status.state, created_at: now });
    return true;
  }
  if (dispatch) {
    const key = decodeURIComponent(dispatch[1]);
    const workflow = [...repo.workflows.values()].find(
      w => w.file === key || String(w.id) === key,
    );
    const doc = 'actions/workflows#create-a-workflow-dispatch-event';
    if (!workflow) {
      ctx.notFound(doc);
      return true;
    }
    if (!workflow.inputs) {
      validation(
        ctx,
        "Workflow does not have 'workflow_dispatch' trigger",
        doc,
      );
      return true;
    }
    const commit =
      typeof body?.ref === 'string' ? repo.resolve(body.ref) : undefined;
    if (!commit) {
      validation(ctx, `No ref found for: ${body?.ref}`, doc);
      return true;
    }
    const inputs: Record<string, unknown> = body?.inputs ?? {};
    const unexpected = Object.keys(inputs).filter(
      k => !workflow.inputs!.includes(k),
    );
    if (unexpected.length) {
      validation(
        ctx,
        `Unexpected inputs provided: ${JSON.stringify(unexpected)}`,
        doc,
      );
      return true;
    }
    // the workflow runs on `ref` and deploys its `ref` input (or `ref`)
    const deployed =
      typeof inputs.ref === 'string' ? repo.resolve(inputs.ref) : commit;
    if (deployed && typeof inputs.environment === 'string') {
      deploy(ctx, repo, {
        sha: deployed.sha,
        ref: String(inputs.ref ?? body.ref),
        environment: inputs.environment,
        payload: inputs.artifact ? { artifact: inputs.artifact } : {},
        creator: 'github-actions[bot]',
      });
    }
    ctx.send(204, '');
    return true;
  }
  return false;
}
