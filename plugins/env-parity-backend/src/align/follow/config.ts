import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** Which services follow production in one environment. */
export interface FollowEnvironment {
  /**
   * Entity refs (lower case) of the services that follow; undefined: every
   * service alignment may act on.
   */
  entities?: ReadonlySet<string>;
}

/** `envParity.align.follow`, read once at start-up with every default applied. */
export interface FollowOptions {
  /** The one switch: false turns following off everywhere. */
  enabled: boolean;
  /** The requester of the alignments following creates. */
  requester: string;
  /** Alignments created per collection at most; the rest wait for the next one. */
  maxPerCollection: number;
  /** By environment name. */
  environments: Record<string, FollowEnvironment>;
}

export const DEFAULT_FOLLOW_REQUESTER = 'user:default/env-parity-follow';
export const DEFAULT_FOLLOW_MAX_PER_COLLECTION = 20;

const KEY = 'envParity.align.follow';

function lower(ref: string): string {
  return ref.toLocaleLowerCase('en-US');
}

/**
 * Reads `envParity.align.follow` (given `envParity.align`); undefined when
 * absent. Every followed environment must be one alignment is enabled for
 * (`alignable`), as following uses its deployer and approval rule. A bad
 * value stops start-up with a message naming its key.
 */
export function readFollowOptions(
  align: Config,
  alignable: string[],
): FollowOptions | undefined {
  const config = align.getOptionalConfig('follow');
  if (!config) {
    return undefined;
  }
  const requesterText =
    config.getOptionalString('requester') ?? DEFAULT_FOLLOW_REQUESTER;
  let requester: string;
  try {
    requester = stringifyEntityRef(
      parseEntityRef(requesterText, {
        defaultKind: 'user',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(
      `${KEY}.requester must be an entity ref such as ${DEFAULT_FOLLOW_REQUESTER}: ${
        (error as Error).message
      }`,
    );
  }
  const max = config.getOptionalNumber('maxPerCollection');
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new InputError(
      `${KEY}.maxPerCollection must be a whole number of at least 1`,
    );
  }
  const environments: Record<string, FollowEnvironment> = {};
  const envs = config.getOptionalConfig('environments');
  for (const name of envs?.keys() ?? []) {
    const key = `${KEY}.environments.${name}`;
    if (!alignable.includes(name)) {
      throw new InputError(
        `${key}: alignment is not enabled for ${name}; add it to envParity.align.environments (following uses its deployer and approval rule)`,
      );
    }
    const env = envs!.getConfig(name);
    if (!(env.getOptionalBoolean('enabled') ?? true)) {
      continue;
    }
    const refs = env.getOptionalStringArray('entities');
    let entities: Set<string> | undefined;
    if (refs) {
      entities = new Set();
      for (const ref of refs) {
        try {
          entities.add(
            lower(
              stringifyEntityRef(
                parseEntityRef(ref, {
                  defaultKind: 'component',
                  defaultNamespace: 'default',
                }),
              ),
            ),
          );
        } catch (error) {
          throw new InputError(
            `${key}.entities: "${ref}" is not an entity ref: ${
              (error as Error).message
            }`,
          );
        }
      }
    }
    environments[name] = { ...(entities && { entities }) };
  }
  return {
    enabled: config.getOptionalBoolean('enabled') ?? true,
    requester,
    maxPerCollection: max ?? DEFAULT_FOLLOW_MAX_PER_COLLECTION,
    environments,
  };
}

/** The environments in which a service follows production (none when off). */
export function followedEnvironments(
  options: FollowOptions | undefined,
  entityRef: string,
): string[] {
  if (!options?.enabled) {
    return [];
  }
  const ref = lower(entityRef);
  return Object.entries(options.environments)
    .filter(([, env]) => !env.entities || env.entities.has(ref))
    .map(([name]) => name);
}
