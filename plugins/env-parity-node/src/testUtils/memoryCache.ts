import { CacheService } from '@backstage/backend-plugin-api';
import { durationToMilliseconds, JsonValue } from '@backstage/types';

/**
 * A real in-memory CacheService with TTLs, as the memory store behaves; values
 * go through JSON like every real store.
 *
 * @public
 */
export function memoryCache(): CacheService & { size(): number } {
  const entries = new Map<string, { value: JsonValue; expires: number }>();
  const cache: CacheService & { size(): number } = {
    async get<T extends JsonValue>(key: string) {
      const entry = entries.get(key);
      if (!entry || entry.expires <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      // stored as JSON, like every real store
      return JSON.parse(JSON.stringify(entry.value)) as T;
    },
    async set(key, value, options) {
      const ttl = options?.ttl;
      let ms = Infinity;
      if (typeof ttl === 'number') {
        ms = ttl;
      } else if (ttl) {
        ms = durationToMilliseconds(ttl);
      }
      entries.set(key, {
        value: JSON.parse(JSON.stringify(value)),
        expires: Date.now() + ms,
      });
    },
    async delete(key) {
      entries.delete(key);
    },
    withOptions() {
      return cache;
    },
    size() {
      return entries.size;
    },
  };
  return cache;
}
