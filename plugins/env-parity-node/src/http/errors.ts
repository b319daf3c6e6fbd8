import { CustomErrorBase } from '@backstage/errors';

/**
 * Why a guarded request failed in transport (policy refusals are
 * `NotAllowedError`s, malformed input `InputError`s).
 *
 * - `timeout`: the connect or total timeout passed;
 * - `body-too-large`: the response body passed the size cap;
 * - `dns`: the host name could not be resolved;
 * - `network`: connection refused or reset, TLS failure, malformed response;
 * - `aborted`: the caller's AbortSignal fired.
 *
 * @public
 */
export type GuardedHttpErrorReason =
  | 'timeout'
  | 'body-too-large'
  | 'dns'
  | 'network'
  | 'aborted';

/**
 * A guarded request that failed in transport; `reason` tells why.
 *
 * @public
 */
export class GuardedHttpError extends CustomErrorBase {
  name = 'GuardedHttpError' as const;

  constructor(
    readonly reason: GuardedHttpErrorReason,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause);
  }
}
