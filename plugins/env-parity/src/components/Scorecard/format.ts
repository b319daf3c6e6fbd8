import { parseEntityRef } from '@backstage/catalog-model';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';

/** `12 days`, `1 day`, `less than a day`; an em dash when unknown. */
export function driftAge(days: number | undefined): string {
  if (days === undefined || days === null) {
    return '—';
  }
  if (days < 1) {
    return 'less than a day';
  }
  const n = Math.round(days);
  return `${n} day${n === 1 ? '' : 's'}`;
}

/** A share from 0 to 1 as a whole percentage, e.g. `75%`. */
export function percent(share: number | undefined): string {
  if (share === undefined || share === null || Number.isNaN(share)) {
    return '—';
  }
  return `${Math.round(share * 100)}%`;
}

/** A score, rounded, e.g. `78`; an em dash when unknown. */
export function score(value: number | undefined): string {
  if (value === undefined || value === null || Number.isNaN(value)) {
    return '—';
  }
  return String(Math.round(value));
}

/** `group:default/team-a` as `team-a`; other kinds and namespaces kept. */
export function ownerName(ref: string | undefined): string {
  if (!ref) {
    return 'No owner';
  }
  try {
    return humanizeEntityRef(parseEntityRef(ref, { defaultKind: 'group' }), {
      defaultKind: 'group',
    });
  } catch {
    return ref;
  }
}

/** `system:default/billing` as `billing`. */
export function systemName(ref: string | undefined): string | undefined {
  if (!ref) {
    return undefined;
  }
  try {
    return humanizeEntityRef(parseEntityRef(ref, { defaultKind: 'system' }), {
      defaultKind: 'system',
    });
  } catch {
    return ref;
  }
}

/** An environment name as a title: `staging` as `Staging`. */
export function envTitle(name: string): string {
  return name ? name.charAt(0).toLocaleUpperCase('en-US') + name.slice(1) : '';
}

/** `2026-11-27` as `27 Nov`, in UTC. */
export function shortDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) {
    return day;
  }
  return date.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
}
