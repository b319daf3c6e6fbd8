import { createHash } from 'node:crypto';
import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';

/**
 * A parsed GET answer remembered with its ETag.
 *
 * @public
 */
export type EtagCachedResponse = {
  etag: string;
  data: JsonValue;
  /** The URL of the next page, if any. */
  next?: string;
};

/**
 * Remembers parsed GET answers by ETag, to revalidate them with
 * `If-None-Match`. Cache failures never fail a request: a failed read is a
 * miss, a failed write is ignored.
 *
 * @public
 */
export class EtagCache {
  constructor(
    private readonly cache: CacheService | undefined,
    /** Key prefix, e.g. `github-etag`. */
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  /**
   * The key of a request, or undefined when it is not conditional or there
   * is no cache. `scope` (e.g. host and identity, then URL) is hashed.
   */
  key(conditional: boolean | undefined, scope: string): string | undefined {
    return conditional && this.cache
      ? `${this.prefix}:${createHash('sha256').update(scope).digest('hex')}`
      : undefined;
  }

  async read(key: string | undefined): Promise<EtagCachedResponse | undefined> {
    return key
      ? await this.cache!.get<EtagCachedResponse>(key).catch(() => undefined)
      : undefined;
  }

  async write(
    key: string | undefined,
    etag: string | undefined | null,
    data: JsonValue,
    next: string | undefined,
  ): Promise<void> {
    if (!key || !etag) {
      return;
    }
    const entry: EtagCachedResponse = { etag, data, ...(next ? { next } : {}) };
    await this.cache!.set(key, entry, { ttl: this.ttlMs }).catch(() => {});
  }
}
