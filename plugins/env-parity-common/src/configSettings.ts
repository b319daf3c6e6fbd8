import { ConfigSettingDrift, DriftItem } from './types';

/** The prefix Argo CD gives the keys of one source of a multi-source Application. */
const MULTI_SOURCE = /^source\[\d+\]\./i;
const HELM_VALUES = /^((?:source\[\d+\]\.)?helm\.values)\./i;
/** `a=1,b=2` or `a=1;b=2`: a list of flags in one value. */
const FLAG_LIST = /^\s*[\w.-]+\s*=[^,;]*(?:[,;]\s*[\w.-]+\s*=[^,;]*)*[,;]?\s*$/;

/**
 * The key a configuration field ends with: `FEATURE_FLAGS` of
 * `configmap/payments-api-config.FEATURE_FLAGS`, `instantRefunds` of
 * `helm.values.featureFlags.instantRefunds`, `DATABASE_URL` of
 * `deployment/payments-api/payments-api.env.DATABASE_URL`.
 *
 * @public
 */
export function configLeafKey(field: string): string {
  const key = field.replace(MULTI_SOURCE, '');
  const parts = key.split(/[./]/).filter(Boolean);
  return parts[parts.length - 1] ?? key;
}

/**
 * A setting's name, compared across spellings: `INSTANT_REFUNDS`,
 * `instantRefunds` and `instant-refunds` are all `instantrefunds`.
 *
 * @public
 */
export function normaliseSettingKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Where a field comes from, so that two fields of one source (two Helm
 * values, two keys of one ConfigMap) are never taken for one setting.
 */
function sourceOf(field: string): string {
  const helm = HELM_VALUES.exec(field);
  if (helm) {
    return helm[1].toLowerCase();
  }
  const leaf = configLeafKey(field);
  return field.slice(0, field.length - leaf.length);
}

function parseFlags(value: string): Map<string, string> | undefined {
  if (!FLAG_LIST.test(value)) {
    return undefined;
  }
  const flags = new Map<string, string>();
  for (const entry of value.split(/[,;]/)) {
    const at = entry.indexOf('=');
    if (at > 0) {
      flags.set(entry.slice(0, at).trim(), entry.slice(at + 1).trim());
    }
  }
  return flags;
}

/**
 * For a value holding a list of flags (`instant-refunds=on,3ds2=on`) of
 * which exactly one differs, that flag: the setting the key expresses.
 */
function differingFlag(item: DriftItem):
  | {
      key: string;
      change: DriftItem['change'];
      reference?: string;
      environment?: string;
    }
  | undefined {
  if (item.reference === undefined || item.environment === undefined) {
    return undefined;
  }
  const reference = parseFlags(item.reference);
  const environment = parseFlags(item.environment);
  if (!reference || !environment) {
    return undefined;
  }
  const keys = [...new Set([...reference.keys(), ...environment.keys()])];
  const differing = keys.filter(k => reference.get(k) !== environment.get(k));
  if (differing.length !== 1) {
    return undefined;
  }
  const key = differing[0];
  const r = reference.get(key);
  const e = environment.get(key);
  let change: DriftItem['change'] = 'changed';
  if (r === undefined) {
    change = 'added';
  } else if (e === undefined) {
    change = 'removed';
  }
  // `instant-refunds=off` says which flag on its own; `off` would not
  return {
    key,
    change,
    ...(r !== undefined ? { reference: `${key}=${r}` } : {}),
    ...(e !== undefined ? { environment: `${key}=${e}` } : {}),
  };
}

/** `instantRefunds`, `instant-refunds` → `instant refunds`; `DATABASE_URL` as it is. */
function settingName(keys: string[]): string {
  const spoken = keys.find(k => /[a-z]/.test(k));
  if (!spoken) {
    return keys[0];
  }
  return spoken
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_.]+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * Whether a configuration drift item is secret without knowing the
 * fingerprints: a key of a Secret whose values were withheld.
 *
 * @public
 */
export function isWithheldSecret(item: DriftItem): boolean {
  return (
    item.type === 'config' &&
    /^(?:source\[\d+\]\.)?secret\//i.test(item.field) &&
    item.reference === undefined &&
    item.environment === undefined
  );
}

interface Group {
  normalised: string;
  keys: string[];
  sourcesSeen: Set<string>;
  items: DriftItem[];
  /** The value of the setting each item tells, where it tells one. */
  values: Array<{
    change: DriftItem['change'];
    reference?: string;
    environment?: string;
  }>;
}

/**
 * Groups configuration drift by the setting it expresses. One setting often
 * appears under several keys: a ConfigMap key, the container environment
 * variable read from it and the Helm value it is rendered from
 * (`INSTANT_REFUNDS`, `instantRefunds`, `featureFlags.instantRefunds`); keys
 * with the same last name, compared without case and separators, from
 * different sources are one setting. A key holding a list of flags
 * (`instant-refunds=off,3ds2=on`) of which exactly one differs expresses that
 * flag. A setting any of whose keys is secret is secret as a whole: none of
 * its values is shown.
 *
 * Settings come in the order their first key appears in `drift`; items other
 * than configuration are left out.
 *
 * @public
 */
export function groupConfigDrift(
  drift: DriftItem[],
  options: {
    /** Whether a key is secret; by default, a Secret's key without values. */
    isSecret?: (item: DriftItem) => boolean;
  } = {},
): ConfigSettingDrift[] {
  const isSecret = options.isSecret ?? isWithheldSecret;
  const groups: Group[] = [];
  const secretGroups = new Set<Group>();
  for (const item of drift) {
    if (item.type !== 'config') {
      continue;
    }
    const flag = differingFlag(item);
    const key = flag?.key ?? configLeafKey(item.field);
    const normalised = normaliseSettingKey(key) || item.field;
    const source = sourceOf(item.field);
    let group = groups.find(
      g => g.normalised === normalised && !g.sourcesSeen.has(source),
    );
    if (!group) {
      group = {
        normalised,
        keys: [],
        sourcesSeen: new Set(),
        items: [],
        values: [],
      };
      groups.push(group);
    }
    group.keys.push(key);
    group.sourcesSeen.add(source);
    group.items.push(item);
    group.values.push(
      flag ?? {
        change: item.change,
        ...(item.reference !== undefined ? { reference: item.reference } : {}),
        ...(item.environment !== undefined
          ? { environment: item.environment }
          : {}),
      },
    );
    if (isSecret(item)) {
      secretGroups.add(group);
    }
  }

  return groups.map(group => {
    const secret = secretGroups.has(group);
    const changes = new Set(group.values.map(v => v.change));
    const change: DriftItem['change'] =
      changes.size === 1 ? [...changes][0] : 'changed';
    const told = group.values.find(
      v => v.reference !== undefined || v.environment !== undefined,
    );
    const sources = secret
      ? group.items.map(({ reference: _r, environment: _e, ...rest }) => rest)
      : group.items;
    return {
      name: settingName(group.keys),
      change,
      ...(!secret && told?.reference !== undefined
        ? { reference: told.reference }
        : {}),
      ...(!secret && told?.environment !== undefined
        ? { environment: told.environment }
        : {}),
      secret,
      sources,
    };
  });
}

/**
 * Settings in a sentence: `2 settings differ: instant refunds, DATABASE_URL`.
 * Names the first five.
 *
 * @public
 */
export function describeSettings(settings: ConfigSettingDrift[]): string {
  const n = settings.length;
  const names = settings.slice(0, 5).map(s => s.name);
  const more = n > 5 ? ` and ${n - 5} more` : '';
  return `${n} ${n === 1 ? 'setting differs' : 'settings differ'}: ${names.join(
    ', ',
  )}${more}`;
}
