export { GuardedHttpClient } from './GuardedHttpClient';
export type {
  GuardedHttpClientOptions,
  GuardedHttpLookup,
  GuardedHttpMethod,
  GuardedHttpRequestInit,
  GuardedHttpResponse,
} from './GuardedHttpClient';
export { GuardedHttpError } from './errors';
export type { GuardedHttpErrorReason } from './errors';
export { normaliseUrlPath } from './normaliseUrlPath';
export { parseHostPattern, matchesHostPattern } from './hostPatterns';
export type { HostPattern } from './hostPatterns';
export { classifyAddress } from './addresses';
export type { AddressClassification } from './addresses';
