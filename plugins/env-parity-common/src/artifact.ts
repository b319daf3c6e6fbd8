/**
 * An artifact reference split into its parts.
 *
 * @public
 */
export interface ParsedArtifact {
  /** Repository without tag or digest, e.g. `ghcr.io/acme/payments`. */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` when the reference pins a digest. */
  digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Parses an image reference such as `registry:5000/team/app:1.2.3@sha256:...`.
 * Throws an Error naming the problem when the reference is malformed.
 *
 * @public
 */
export function parseArtifact(reference: string): ParsedArtifact {
  const trimmed = reference.trim();
  if (!trimmed || /\s/.test(trimmed)) {
    throw new Error(`"${reference}" is not an artifact reference`);
  }
  let rest = trimmed;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) {
      throw new Error(
        `"${digest}" is not a valid digest: expected sha256: followed by 64 lowercase hex characters`,
      );
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) {
      throw new Error(`"${tag}" is not a valid image tag`);
    }
  }
  if (!rest || !/^[a-zA-Z0-9][a-zA-Z0-9._\-/:]*$/.test(rest)) {
    throw new Error(`"${reference}" is not an artifact reference`);
  }
  return { repository: rest, tag, digest };
}

/**
 * The digest of an artifact reference, or undefined when it has none or
 * cannot be parsed.
 *
 * @public
 */
export function artifactDigest(reference?: string): string | undefined {
  if (!reference) {
    return undefined;
  }
  try {
    return parseArtifact(reference).digest;
  } catch {
    return undefined;
  }
}

/**
 * A short form of a digest or SHA for display: `sha256:abcdef123456` or `abc1234`.
 *
 * @public
 */
export function shortHash(value: string): string {
  if (value.startsWith('sha256:')) {
    return value.slice(0, 'sha256:'.length + 12);
  }
  return value.slice(0, 7);
}
