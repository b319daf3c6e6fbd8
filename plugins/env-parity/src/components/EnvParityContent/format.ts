import { Entity } from '@backstage/catalog-model';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function unit(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A timestamp relative to now, e.g. `3 min ago`, `2 h ago`, `4 days ago`.
 */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) {
    return iso;
  }
  const seconds = Math.round((now - time) / 1000);
  const abs = Math.abs(seconds);
  if (abs < MINUTE) {
    return 'just now';
  }
  let text: string;
  if (abs < HOUR) {
    text = `${Math.floor(abs / MINUTE)} min`;
  } else if (abs < DAY) {
    text = `${Math.floor(abs / HOUR)} h`;
  } else if (abs < 30 * DAY) {
    text = unit(Math.floor(abs / DAY), 'day');
  } else if (abs < 365 * DAY) {
    text = unit(Math.floor(abs / (30 * DAY)), 'month');
  } else {
    text = unit(Math.floor(abs / (365 * DAY)), 'year');
  }
  return seconds < 0 ? `in ${text}` : `${text} ago`;
}

/**
 * A timestamp in full, for tooltips.
 */
export function exactTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return date.toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'long',
  });
}

function slugFromUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if (url.hostname !== 'github.com') {
      return undefined;
    }
    const [owner, repo] = url.pathname.split('/').filter(Boolean);
    if (!owner || !repo) {
      return undefined;
    }
    return `${owner}/${repo.replace(/\.git$/, '')}`;
  } catch {
    return undefined;
  }
}

/**
 * The `owner/repo` of the entity's GitHub repository, from the
 * `github.com/project-slug` annotation or a GitHub source location.
 */
export function githubSlug(entity: Entity): string | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const slug = annotations['github.com/project-slug'];
  if (slug && /^[\w.-]+\/[\w.-]+$/.test(slug)) {
    return slug;
  }
  const location = annotations['backstage.io/source-location'];
  if (location?.startsWith('url:')) {
    return slugFromUrl(location.slice('url:'.length));
  }
  return undefined;
}

/**
 * A link to a commit on GitHub, when the repository is known and the
 * revision looks like a commit SHA.
 */
export function commitUrl(
  slug: string | undefined,
  revision: string,
): string | undefined {
  if (!slug || !/^[0-9a-f]{7,40}$/i.test(revision)) {
    return undefined;
  }
  return `https://github.com/${slug}/commit/${revision}`;
}
