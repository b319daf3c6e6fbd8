import { CustomErrorBase, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  Replica,
  ReplicaRequestBody,
} from '@env-parity/plugin-env-parity-common';
import {
  EnvParityActionsOptions,
  EnvParityBackendClient,
  normalizeEntityRef,
} from '../client/EnvParityBackendClient';
import { createReplicaExamples } from './createReplica.examples';

/**
 * The id of the action that launches a production replica.
 *
 * @public
 */
export const ENV_PARITY_REPLICA_CREATE_ACTION_ID = 'env-parity:replica:create';

const DEFAULT_TIMEOUT_MINUTES = 15;
const MAX_TIMEOUT_MINUTES = 120;
const DEFAULT_POLL_INTERVAL_MS = 5_000;

/**
 * Options of {@link createEnvParityReplicaCreateAction}.
 *
 * @public
 */
export interface EnvParityReplicaCreateActionOptions
  extends EnvParityActionsOptions {
  /** How often to ask whether the replica is ready, in ms. Defaults to 5000. */
  pollIntervalMs?: number;
}

/** A replica that will not become ready: it failed or ended, or the wait timed out. */
export class ReplicaNotReadyError extends CustomErrorBase {
  name = 'ReplicaNotReadyError' as const;
}

/** The action's outputs, from the replica as the backend shows it. */
function replicaOutputs(replica: Replica) {
  return {
    id: replica.id,
    entityRef: replica.entityRef,
    environment: replica.environment,
    cluster: replica.cluster,
    namespace: replica.namespace,
    status: replica.status,
    ...(replica.statusReason && { statusReason: replica.statusReason }),
    expiresAt: replica.expiresAt,
    endpoints: replica.endpoints.map(e => ({
      service: e.service,
      port: e.port,
      command: e.command,
    })),
    config: replica.config.map(c => ({
      object: c.object,
      kind: c.kind,
      key: c.key,
      source: c.source,
    })),
  };
}

/** Waits `ms`, or less when `signal` aborts (then throws its reason). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    let onAbort = () => {};
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Creates the `env-parity:replica:create` Scaffolder action: launches a
 * production replica of an entity (a private, expiring copy of what
 * production runs, in the sandbox cluster) as the template initiator, and
 * by default waits until it is ready.
 *
 * @public
 */
export function createEnvParityReplicaCreateAction(
  options: EnvParityReplicaCreateActionOptions,
) {
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!(pollIntervalMs > 0)) {
    throw new InputError(
      `pollIntervalMs must be a positive number, got ${pollIntervalMs}`,
    );
  }
  return createTemplateAction({
    id: ENV_PARITY_REPLICA_CREATE_ACTION_ID,
    description:
      "Launches a production replica of an entity: a private, expiring namespace in Env Parity's sandbox cluster running exactly production's images, optionally with one workload's image replaced. Uses the permissions of the template initiator (env-parity.replica.create) and counts against their replica limit. Waits until the replica is ready unless waitUntilReady is false.",
    examples: createReplicaExamples,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe(
              'The entity, e.g. component:default/payments-api (a bare name means a component in the default namespace)',
            ),
        reason: z =>
          z
            .string()
            .min(1)
            .describe('Why the replica is needed; shown to admins and audited'),
        lifetimeMinutes: z =>
          z
            .number()
            .int()
            .positive()
            .optional()
            .describe(
              'How long the replica lives, in minutes; the configured default (4 hours) without it, at most envParity.replicas.maxTtl',
            ),
        override: z =>
          z
            .object({
              workload: z
                .string()
                .min(1)
                .describe(
                  'The Deployment or StatefulSet whose image is replaced',
                ),
              image: z
                .string()
                .min(1)
                .describe(
                  "Another build of the same repository: a full image reference, or a tag or sha256 digest of production's repository",
                ),
            })
            .optional()
            .describe(
              "Production plus one change: one workload's image replaced, everything else production's",
            ),
        waitUntilReady: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Wait until every pod is ready and runs the expected digests (default true); false returns at once with status creating',
            ),
        timeoutMinutes: z =>
          z
            .number()
            .positive()
            .max(MAX_TIMEOUT_MINUTES)
            .optional()
            .describe(
              `How long to wait until ready, in minutes (default ${DEFAULT_TIMEOUT_MINUTES}); the replica keeps being created after a timeout`,
            ),
      },
      output: {
        id: z => z.string().describe('The replica id'),
        entityRef: z => z.string().describe('The entity, in full form'),
        environment: z =>
          z
            .string()
            .describe(
              'The environment it appears under on the Parity tab, e.g. replica-1a2b3c4d',
            ),
        cluster: z => z.string().describe('The sandbox cluster'),
        namespace: z => z.string().describe('Its namespace there'),
        status: z =>
          z
            .enum(['creating', 'ready', 'failed', 'expired', 'deleted'])
            .describe('ready, or creating when not waited for'),
        statusReason: z =>
          z.string().optional().describe('Why it failed, when it did'),
        expiresAt: z =>
          z.string().describe('When it is deleted unless extended (ISO 8601)'),
        endpoints: z =>
          z
            .array(
              z.object({
                service: z.string(),
                port: z.number(),
                command: z
                  .string()
                  .describe('A kubectl port-forward command to reach it'),
              }),
            )
            .describe('How to reach each Service port'),
        config: z =>
          z
            .array(
              z.object({
                object: z.string(),
                kind: z.enum(['ConfigMap', 'Secret']),
                key: z.string(),
                source: z.string(),
              }),
            )
            .describe(
              'Every configuration key by name, and where it came from (production, override, empty: to provide, or an environment)',
            ),
      },
    },
    async handler(ctx) {
      const entityRef = normalizeEntityRef(ctx.input.entityRef);
      const reason = ctx.input.reason.trim();
      if (!reason) {
        throw new InputError('Give a reason for the replica');
      }
      const waitUntilReady = ctx.input.waitUntilReady ?? true;
      const timeoutMinutes =
        ctx.input.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES;
      if (!(timeoutMinutes > 0 && timeoutMinutes <= MAX_TIMEOUT_MINUTES)) {
        throw new InputError(
          `timeoutMinutes must be more than 0 and at most ${MAX_TIMEOUT_MINUTES}, got ${timeoutMinutes}`,
        );
      }
      const body: ReplicaRequestBody = {
        entityRef,
        reason,
        ...(ctx.input.lifetimeMinutes !== undefined && {
          lifetimeMinutes: ctx.input.lifetimeMinutes,
        }),
        ...(ctx.input.override && {
          override: {
            workload: ctx.input.override.workload,
            image: ctx.input.override.image,
          },
        }),
      };
      const client = await EnvParityBackendClient.forInitiator({
        ...options,
        credentials: await ctx.getInitiatorCredentials(),
      });

      // a task resumed after a restart finds the replica it launched
      // instead of launching another one
      let created: Replica | undefined;
      const id = await ctx.checkpoint({
        key: `env-parity.replica.create ${entityRef} ${
          body.override
            ? `${body.override.workload}=${body.override.image}`
            : ''
        }`,
        fn: async () => {
          created = await client.createReplica(body, ctx.signal);
          return created.id;
        },
      });
      let replica = created ?? (await client.getReplica(id, ctx.signal));
      const output = (current: Replica) => {
        for (const [name, value] of Object.entries(replicaOutputs(current))) {
          ctx.output(name as any, value as any);
        }
      };
      output(replica);
      ctx.logger.info(
        `Replica ${replica.id} of ${entityRef}: ${replica.status} in namespace ${replica.namespace} of cluster ${replica.cluster}, expires ${replica.expiresAt}`,
      );
      if (!waitUntilReady) {
        return;
      }

      const deadline = Date.now() + timeoutMinutes * 60_000;
      while (replica.status === 'creating') {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new ReplicaNotReadyError(
            `Replica ${replica.id} of ${entityRef} was not ready within ${timeoutMinutes} minutes (timeoutMinutes); it is still being created in namespace ${replica.namespace}, and expires ${replica.expiresAt}`,
          );
        }
        await sleep(Math.min(pollIntervalMs, left), ctx.signal);
        const previous = replica.status;
        replica = await client.getReplica(replica.id, ctx.signal);
        if (replica.status !== previous) {
          ctx.logger.info(`Replica ${replica.id}: ${replica.status}`);
        }
      }
      output(replica);
      if (replica.status === 'failed') {
        throw new ReplicaNotReadyError(
          `Replica ${replica.id} of ${entityRef} failed: ${
            replica.statusReason ?? 'Env Parity gave no reason'
          }`,
        );
      }
      if (replica.status !== 'ready') {
        throw new ReplicaNotReadyError(
          `Replica ${replica.id} of ${entityRef} ended (${replica.status}${
            replica.statusReason ? `: ${replica.statusReason}` : ''
          }) before it was ready`,
        );
      }
      ctx.logger.info(
        `Replica ${replica.id} is ready: ${replica.endpoints
          .map(e => e.command)
          .join('; ')}`,
      );
    },
  });
}
