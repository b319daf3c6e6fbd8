/**
 * Label selectors: checking the ones that come from annotations, and
 * matching a workload's `spec.selector` against pod labels.
 */

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Whether `key` is a valid label key: `[prefix/]name`. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) {
    return NAME.test(key);
  }
  const prefix = key.slice(0, slash);
  return (
    prefix.length <= 253 &&
    DNS_SUBDOMAIN.test(prefix) &&
    NAME.test(key.slice(slash + 1))
  );
}

/** Whether `value` is a valid label value (empty is valid). */
export function isLabelValue(value: string): boolean {
  return value === '' || NAME.test(value);
}

/** Whether `namespace` is a valid namespace name (a DNS-1123 label). */
export function isNamespace(namespace: string): boolean {
  return DNS_LABEL.test(namespace);
}

/**
 * Checks a label selector in the string form the Kubernetes API takes
 * (`a=b,c!=d,e in (f,g),h notin (i),j,!k`) and returns it normalised
 * (trimmed around commas); throws an Error saying what is wrong.
 */
export function checkLabelSelector(selector: string): string {
  const requirements = splitRequirements(selector.trim());
  if (requirements.length === 0) {
    throw new Error('the label selector is empty');
  }
  return requirements
    .map(requirement => {
      const r = requirement.trim();
      const fail = (why: string): never => {
        throw new Error(`"${r}" in the label selector ${why}`);
      };
      let m = /^!\s*([^\s!=(),]+)$/.exec(r);
      if (m) {
        if (!isLabelKey(m[1])) fail('has an invalid label key');
        return `!${m[1]}`;
      }
      m = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(r);
      if (m) {
        if (!isLabelKey(m[1])) fail('has an invalid label key');
        const values = m[3].split(',').map(v => v.trim());
        if (values.some(v => !isLabelValue(v)) || m[3].trim() === '') {
          fail('has an invalid value list');
        }
        return `${m[1]} ${m[2]} (${values.join(',')})`;
      }
      m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(r);
      if (m) {
        if (!isLabelKey(m[1])) fail('has an invalid label key');
        if (!isLabelValue(m[3])) fail('has an invalid label value');
        return `${m[1]}${m[2]}${m[3]}`;
      }
      m = /^([^\s!=(),]+)$/.exec(r);
      if (m) {
        if (!isLabelKey(m[1])) fail('has an invalid label key');
        return m[1];
      }
      return fail('is not a valid requirement');
    })
    .join(',');
}

/**
 * A label selector in string form (as {@link checkLabelSelector} accepts it)
 * as a LabelSelector object, for matching in memory with
 * {@link matchesSelector}: `a=b` and `a==b` become `a In (b)`, `a!=b`
 * `a NotIn (b)`, `a` `a Exists` and `!a` `a DoesNotExist`, as the API
 * server reads them. Throws like {@link checkLabelSelector}.
 */
export function parseLabelSelector(selector: string): LabelSelectorObject {
  const matchExpressions: Required<LabelSelectorObject>['matchExpressions'] =
    [];
  for (const r of splitRequirements(checkLabelSelector(selector))) {
    let m = /^!(.+)$/.exec(r);
    if (m) {
      matchExpressions.push({ key: m[1], operator: 'DoesNotExist' });
      continue;
    }
    m = /^(\S+) (in|notin) \((.*)\)$/.exec(r);
    if (m) {
      matchExpressions.push({
        key: m[1],
        operator: m[2] === 'in' ? 'In' : 'NotIn',
        values: m[3].split(','),
      });
      continue;
    }
    m = /^([^!=]+)(==|=|!=)(.*)$/.exec(r);
    if (m) {
      matchExpressions.push({
        key: m[1],
        operator: m[2] === '!=' ? 'NotIn' : 'In',
        values: [m[3]],
      });
      continue;
    }
    matchExpressions.push({ key: r, operator: 'Exists' });
  }
  return { matchExpressions };
}

/** Splits on commas outside parentheses. */
function splitRequirements(selector: string): string[] {
  if (!selector) {
    return [];
  }
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of selector) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth < 0 || depth > 1) {
      throw new Error('the label selector has unbalanced parentheses');
    }
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (depth !== 0) {
    throw new Error('the label selector has unbalanced parentheses');
  }
  parts.push(current);
  if (parts.some(p => !p.trim())) {
    throw new Error('the label selector has an empty requirement');
  }
  return parts;
}

/** A workload's `spec.selector` (a LabelSelector object). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: string;
    values?: string[];
  }>;
}

/**
 * Whether labels match a LabelSelector object, as the API server decides:
 * every matchLabels entry and every expression must hold. An empty selector
 * matches nothing here (a workload always has one; matching every pod of
 * the namespace would be wrong).
 */
export function matchesSelector(
  selector: LabelSelectorObject | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const matchLabels = Object.entries(selector?.matchLabels ?? {});
  const expressions = selector?.matchExpressions ?? [];
  if (matchLabels.length === 0 && expressions.length === 0) {
    return false;
  }
  const have = labels ?? {};
  const has = (key: string) => Object.prototype.hasOwnProperty.call(have, key);
  return (
    matchLabels.every(([k, v]) => has(k) && have[k] === v) &&
    expressions.every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return has(key) && values.includes(have[key]);
        case 'NotIn':
          return !has(key) || !values.includes(have[key]);
        case 'Exists':
          return has(key);
        case 'DoesNotExist':
          return !has(key);
        default:
          return false;
      }
    })
  );
}
