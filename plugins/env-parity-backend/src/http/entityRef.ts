import { Config } from '@backstage/config';
import { makeValidator } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { logSafe } from './logSafe';

const validator = makeValidator();

/**
 * The entity kinds Env Parity reports on: `envParity.collector.kinds`,
 * `['Component']` by default. Only these may be reported, refreshed, probed
 * or asked access for.
 */
export function readReportedKinds(config: Config): string[] {
  return (
    config.getOptionalStringArray('envParity.collector.kinds') ?? ['Component']
  );
}

/**
 * The entity ref named by the route parameters `:kind/:namespace/:name`,
 * with kind and namespace in lower case, e.g. `component:default/web`.
 * Throws an `InputError` (400) for an invalid part or a kind Env Parity does
 * not report on.
 */
export function entityRefFromParams(
  params: Record<string, string | undefined>,
  options: { kinds: readonly string[] },
): string {
  const { kind = '', namespace = '', name = '' } = params;
  if (!validator.isValidKind(kind)) {
    throw new InputError(
      `"${logSafe(
        kind,
      )}" is not a valid entity kind; use a path like /entities/component/default/my-service`,
    );
  }
  const lowerKind = kind.toLocaleLowerCase('en-US');
  if (!options.kinds.some(k => k.toLocaleLowerCase('en-US') === lowerKind)) {
    throw new InputError(
      `Env Parity reports on ${options.kinds.join(
        ', ',
      )} entities only (envParity.collector.kinds), not on ${kind}`,
    );
  }
  if (!validator.isValidNamespace(namespace)) {
    throw new InputError(
      `"${logSafe(namespace)}" is not a valid entity namespace`,
    );
  }
  if (!validator.isValidEntityName(name)) {
    throw new InputError(`"${logSafe(name)}" is not a valid entity name`);
  }
  return `${lowerKind}:${namespace.toLocaleLowerCase('en-US')}/${name}`;
}
