import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ApproverRule } from './rules';

/**
 * Reads an approver rule from configuration: `environment-owner`,
 * `service-owner` or `{ group: <group ref> }`; with `allowNone`, also `none`
 * (no approval: undefined). `key` is the full key, for messages.
 */
export function readApproverRule(
  config: Config,
  name: string,
  options: {
    key: string;
    allowNone?: boolean;
    fallback: ApproverRule | 'none';
  },
): ApproverRule | undefined {
  const none = options.allowNone ? `'none', ` : '';
  if (!config.has(name)) {
    return options.fallback === 'none' ? undefined : options.fallback;
  }
  const value = config.getOptional(name);
  if (value === 'none' && options.allowNone) {
    return undefined;
  }
  if (value === 'environment-owner' || value === 'service-owner') {
    return { type: value };
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const group = config.getString(`${name}.group`);
    try {
      return {
        type: 'group',
        ref: stringifyEntityRef(
          parseEntityRef(group, {
            defaultKind: 'group',
            defaultNamespace: 'default',
          }),
        ),
      };
    } catch (error) {
      throw new InputError(
        `${options.key}.group is not an entity ref: ${
          (error as Error).message
        }`,
      );
    }
  }
  throw new InputError(
    `${options.key} must be ${none}'environment-owner', 'service-owner' or { group: <group ref> }`,
  );
}
