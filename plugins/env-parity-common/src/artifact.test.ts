import { artifactDigest, parseArtifact, shortHash } from './artifact';

const DIGEST =
  'sha256:3f1c9b2e7a4d8c6f0e5b1a9d2c7e4f8a6b3d0c9e1f7a5b2d8c4e6f0a9b1c3d5e';
const OTHER_DIGEST =
  'sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';

describe('parseArtifact', () => {
  it.each([
    ['a bare name', 'nginx', { repository: 'nginx' }],
    ['a name and tag', 'nginx:1.25', { repository: 'nginx', tag: '1.25' }],
    [
      'a registry path, tag and digest',
      `ghcr.io/acme/payments-api:1.4.2@${DIGEST}`,
      {
        repository: 'ghcr.io/acme/payments-api',
        tag: '1.4.2',
        digest: DIGEST,
      },
    ],
    [
      'a registry with a port, tag and digest',
      `registry:5000/team/app:1.2.3@${DIGEST}`,
      { repository: 'registry:5000/team/app', tag: '1.2.3', digest: DIGEST },
    ],
    [
      'a registry with a port and no tag (the port is not a tag)',
      'registry:5000/team/app',
      { repository: 'registry:5000/team/app' },
    ],
    [
      'a digest without a tag',
      `ghcr.io/acme/app@${OTHER_DIGEST}`,
      { repository: 'ghcr.io/acme/app', digest: OTHER_DIGEST },
    ],
    [
      'surrounding whitespace',
      `  ghcr.io/acme/app:v2_rc.1  `,
      { repository: 'ghcr.io/acme/app', tag: 'v2_rc.1' },
    ],
  ])('parses %s', (_name, reference, expected) => {
    expect(parseArtifact(reference)).toEqual({
      tag: undefined,
      digest: undefined,
      ...expected,
    });
  });

  it.each([
    ['an empty string', '', '"" is not an artifact reference'],
    ['only whitespace', '   ', '"   " is not an artifact reference'],
    [
      'inner whitespace',
      'ghcr.io/acme/app :1.0',
      '"ghcr.io/acme/app :1.0" is not an artifact reference',
    ],
    [
      'a short, non-hex digest',
      'ghcr.io/acme/app:1.0@sha256:xyz',
      '"sha256:xyz" is not a valid digest: expected sha256: followed by 64 lowercase hex characters',
    ],
    [
      'an upper-case digest',
      `app@${DIGEST.toUpperCase()}`,
      `"${DIGEST.toUpperCase()}" is not a valid digest: expected sha256: followed by 64 lowercase hex characters`,
    ],
    [
      'another algorithm',
      `app@sha512:${'a'.repeat(128)}`,
      `"sha512:${'a'.repeat(128)}" is not a valid digest`,
    ],
    [
      'a digest one character short',
      `app@${DIGEST.slice(0, -1)}`,
      'is not a valid digest',
    ],
    ['an empty digest', 'app@', '"" is not a valid digest'],
    ['an empty tag', 'app:', '"" is not a valid image tag'],
    ['a tag starting with a dash', 'app:-rc', '"-rc" is not a valid image tag'],
    ['a tag and no repository', ':1.0', '":1.0" is not an artifact reference'],
    [
      'a repository starting with a slash',
      '/acme/app:1.0',
      '"/acme/app:1.0" is not an artifact reference',
    ],
  ])('rejects %s with a helpful message', (_name, reference, message) => {
    expect(() => parseArtifact(reference)).toThrow(message);
  });
});

describe('artifactDigest', () => {
  it.each([
    ['undefined', undefined, undefined],
    ['an empty string', '', undefined],
    ['a reference without digest', 'ghcr.io/acme/app:1.0', undefined],
    ['a malformed digest', 'ghcr.io/acme/app:1.0@sha256:xyz', undefined],
    ['a malformed reference', 'not an image', undefined],
    ['a pinned reference', `ghcr.io/acme/app:1.0@${DIGEST}`, DIGEST],
    [
      'a digest-only reference',
      `ghcr.io/acme/app@${OTHER_DIGEST}`,
      OTHER_DIGEST,
    ],
  ])('returns the digest of %s', (_name, reference, expected) => {
    expect(artifactDigest(reference)).toBe(expected);
  });
});

describe('shortHash', () => {
  it.each([
    ['a digest', DIGEST, 'sha256:3f1c9b2e7a4d'],
    ['a full SHA', '4b825dc642cb6eb9a060e54bf8d69288fbee4904', '4b825dc'],
    ['an abbreviated SHA', '4b825dc', '4b825dc'],
    ['a short value', 'abc', 'abc'],
  ])('shortens %s', (_name, value, expected) => {
    expect(shortHash(value)).toBe(expected);
  });
});
