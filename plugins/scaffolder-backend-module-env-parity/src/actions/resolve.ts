import { NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ParityReport,
  ReportEnvironment,
} from '@env-parity/plugin-env-parity-common';
import {
  EnvParityActionsOptions,
  EnvParityBackendClient,
  normalizeEntityRef,
} from '../client/EnvParityBackendClient';
import { resolveExamples } from './resolve.examples';

/**
 * The id of the action that reads what an environment runs.
 *
 * @public
 */
export const ENV_PARITY_RESOLVE_ACTION_ID = 'env-parity:resolve';

/** One workload (or application) seen running the service, with its images. */
export interface ResolvedWorkload {
  kind: string;
  name: string;
  namespace?: string;
  location?: string;
  images: Array<{ container?: string; image: string; digests: string[] }>;
}

/** What `env-parity:resolve` outputs. */
export interface ResolvedEnvironment {
  entityRef: string;
  environment: string;
  title: string;
  reference: boolean;
  status: ReportEnvironment['status'];
  version?: string;
  revision?: string;
  artifact?: string;
  deployedAt?: string;
  url?: string;
  verdict?: string;
  digests: Record<string, string[]>;
  workloads: ResolvedWorkload[];
  configKeys: string[];
  links: Array<{ title: string; url: string }>;
}

/**
 * Picks one environment of a report and says what runs there: only names,
 * versions, digests and configuration key names, never a configuration value.
 */
export function resolveEnvironment(
  report: ParityReport,
  environment?: string,
): ResolvedEnvironment {
  const wanted = environment?.trim() || report.reference;
  const env = report.environments.find(e => e.name === wanted);
  if (!env) {
    const known = report.environments.map(e => e.name).join(', ');
    throw new NotFoundError(
      `${
        report.entityRef
      } has no environment ${wanted} in Env Parity; its environments are ${
        known || 'none'
      }`,
    );
  }
  const deployment = env.deployment;
  if (!deployment) {
    throw new NotFoundError(
      `Env Parity knows no deployment of ${report.entityRef} in ${env.name} (${
        env.status
      }${env.error ? `: ${env.error}` : ''})`,
    );
  }
  const workloads: ResolvedWorkload[] = (deployment.resources ?? []).map(r => ({
    kind: r.kind,
    name: r.name,
    ...(r.namespace && { namespace: r.namespace }),
    ...(r.location && { location: r.location }),
    images: (r.images ?? []).map(i => ({
      ...(i.container && { container: i.container }),
      image: i.image,
      digests: [...(i.digests ?? [])],
    })),
  }));
  const digests: Record<string, string[]> = {};
  for (const workload of workloads) {
    const all = new Set(digests[workload.name] ?? []);
    workload.images.forEach(i => i.digests.forEach(d => all.add(d)));
    digests[workload.name] = [...all];
  }
  const comparison = report.comparisons.find(
    c => c.environment === env.name && c.against === report.reference,
  );
  return {
    entityRef: report.entityRef,
    environment: env.name,
    title: env.title,
    reference: env.reference,
    status: env.status,
    ...(deployment.version && { version: deployment.version }),
    ...(deployment.revision && { revision: deployment.revision }),
    ...(deployment.artifact && { artifact: deployment.artifact }),
    ...(deployment.deployedAt && { deployedAt: deployment.deployedAt }),
    ...(deployment.url && { url: deployment.url }),
    ...(comparison && { verdict: comparison.verdict }),
    digests,
    workloads,
    configKeys: Object.keys(deployment.config ?? {}).sort(),
    links: (deployment.links ?? []).map(l => ({ title: l.title, url: l.url })),
  };
}

/**
 * Creates the `env-parity:resolve` Scaffolder action: what an entity runs in
 * one environment (the reference environment, production, unless named),
 * from its parity report, read with the template initiator's credentials.
 *
 * @public
 */
export function createEnvParityResolveAction(options: EnvParityActionsOptions) {
  return createTemplateAction({
    id: ENV_PARITY_RESOLVE_ACTION_ID,
    description:
      'Reads what an entity runs in one environment (the reference environment, production, unless named) from Env Parity: version, revision, artifact, the image digests per workload, configuration key names and links. Uses the permissions and catalog visibility of the template initiator.',
    examples: resolveExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe(
              'The entity, e.g. component:default/payments-api (a bare name means a component in the default namespace)',
            ),
        environment: z =>
          z
            .string()
            .optional()
            .describe(
              'The environment name, e.g. staging; defaults to the reference environment (production)',
            ),
      },
      output: {
        entityRef: z => z.string().describe('The entity, in full form'),
        environment: z => z.string().describe('The environment resolved'),
        title: z => z.string().describe('Its title, e.g. Production'),
        reference: z =>
          z.boolean().describe('True for the reference environment'),
        status: z =>
          z
            .enum(['ok', 'stale', 'error', 'missing'])
            .describe(
              'ok, or stale when a provider failed since and its last good data is shown',
            ),
        version: z => z.string().optional().describe('The version label'),
        revision: z => z.string().optional().describe('The Git revision'),
        artifact: z =>
          z
            .string()
            .optional()
            .describe('The artifact, ideally an image with an @sha256 digest'),
        deployedAt: z =>
          z.string().optional().describe('When it was deployed (ISO 8601)'),
        url: z =>
          z.string().optional().describe("The environment's instance URL"),
        verdict: z =>
          z
            .string()
            .optional()
            .describe(
              'Its verdict against the reference environment, e.g. in-sync (not for the reference itself)',
            ),
        digests: z =>
          z
            .record(z.array(z.string()))
            .describe(
              'Per workload name, the sha256 digests its pods run (more than one during a rollout)',
            ),
        workloads: z =>
          z
            .array(
              z.object({
                kind: z.string(),
                name: z.string(),
                namespace: z.string().optional(),
                location: z.string().optional(),
                images: z.array(
                  z.object({
                    container: z.string().optional(),
                    image: z.string(),
                    digests: z.array(z.string()),
                  }),
                ),
              }),
            )
            .describe('The workloads or applications seen running it'),
        configKeys: z =>
          z
            .array(z.string())
            .describe('The names of its configuration keys (never the values)'),
        links: z =>
          z
            .array(z.object({ title: z.string(), url: z.string() }))
            .describe('Links to the commit, build or deployment record'),
      },
    },
    async handler(ctx) {
      const entityRef = normalizeEntityRef(ctx.input.entityRef);
      const client = await EnvParityBackendClient.forInitiator({
        ...options,
        credentials: await ctx.getInitiatorCredentials(),
      });
      const report = await client.getReport(entityRef, ctx.signal);
      const resolved = resolveEnvironment(report, ctx.input.environment);
      if (resolved.status === 'stale') {
        ctx.logger.warn(
          `What Env Parity shows for ${entityRef} in ${resolved.environment} may be outdated: a provider failed since it was observed`,
        );
      }
      ctx.logger.info(
        `${entityRef} runs ${
          resolved.artifact ??
          resolved.version ??
          resolved.revision ??
          'an unnamed build'
        } in ${resolved.environment}`,
      );
      for (const [name, value] of Object.entries(resolved)) {
        ctx.output(name as keyof typeof resolved, value as any);
      }
    },
  });
}
