/**
 * Pauses of requests after a rate limit, per key (e.g. host, or host and
 * identity): while one is in force no request with that key is made.
 *
 * @public
 */
export class RateLimitPauses<E extends { resumesAt: Date }> {
  private readonly paused = new Map<string, E>();

  /** The pause in force for `key`, if any; an expired one is forgotten. */
  current(key: string): E | undefined {
    const pause = this.paused.get(key);
    if (!pause) {
      return undefined;
    }
    if (pause.resumesAt.getTime() > Date.now()) {
      return pause;
    }
    this.paused.delete(key);
    return undefined;
  }

  /**
   * Pauses `key` until `until` (ms since the epoch; at least a second from
   * now) and returns the error for it, made by `create`. `onLonger` is called
   * when this pause ends later than the one in force, which it replaces.
   */
  pause(
    key: string,
    until: number,
    create: (resumesAt: Date) => E,
    onLonger: (resumesAt: Date) => void,
  ): E {
    const resumesAt = new Date(Math.max(until, Date.now() + 1000));
    const error = create(resumesAt);
    const current = this.paused.get(key);
    if (!current || current.resumesAt < resumesAt) {
      this.paused.set(key, error);
      onLonger(resumesAt);
    }
    return error;
  }
}
