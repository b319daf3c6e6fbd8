import { createConfigFingerprinter } from '@env-parity/plugin-env-parity-node';
import { fluxHelmRelease, fluxKustomization } from '@env-parity/fake-apis';
import { component, OWN_REPO, PLANTED } from './__testUtils__/setup';
import {
  commitOf,
  configOf,
  FluxObject,
  ownRevision,
  safeMessage,
  shownUrl,
  stateOf,
} from './objects';

const SHA = '5f0c3a1b2d4e6f708192a3b4c5d6e7f809a1b2c3';

describe('Flux objects', () => {
  it('tells ready, reconciling, failed and suspended apart', () => {
    const k = (ready?: any, extra: Partial<FluxObject> = {}) => ({
      ...fluxKustomization({
        namespace: 'ns',
        name: 'k',
        source: { name: 's' },
        ready,
      }),
      ...extra,
    });
    expect(stateOf(k()).state).toBe('ready');
    expect(stateOf(k({ status: 'Unknown' })).state).toBe('reconciling');
    expect(stateOf(k({ status: 'False', reason: 'BuildFailed' }))).toEqual({
      state: 'failed',
      reason: 'BuildFailed',
    });
    expect(stateOf({ status: {} }).state).toBe('reconciling');
    const suspended = fluxKustomization({
      namespace: 'ns',
      name: 'k',
      source: { name: 's' },
      suspend: true,
    });
    expect(stateOf(suspended).state).toBe('suspended');
    expect(
      stateOf({
        status: {
          conditions: [
            { type: 'Ready', status: 'Unknown' },
            { type: 'Stalled', status: 'True', reason: 'InvalidChart' },
          ],
        },
      }),
    ).toEqual({ state: 'failed', reason: 'InvalidChart' });
  });

  it('reads commits from Flux revisions', () => {
    expect(commitOf(`main@sha1:${SHA}`)).toBe(SHA);
    expect(commitOf(`main/${SHA}`)).toBe(SHA);
    expect(commitOf(SHA.toUpperCase())).toBe(SHA);
    expect(commitOf('1.4.2')).toBeUndefined();
    expect(commitOf('latest@sha256:abc')).toBeUndefined();
  });

  it('takes the revision only from a Kustomization of the service repository', () => {
    const object = fluxKustomization({
      namespace: 'flux-system',
      name: 'shop',
      source: { name: 'shop' },
      revision: `main@sha1:${SHA}`,
    });
    const entity = component({});
    const found = { kind: 'Kustomization' as const, object, cluster: 'c' };
    expect(ownRevision({ ...found, sourceUrl: OWN_REPO }, entity)).toBe(SHA);
    expect(
      ownRevision(
        { ...found, sourceUrl: 'https://github.com/acme/fleet' },
        entity,
      ),
    ).toBeUndefined();
    expect(ownRevision(found, entity)).toBeUndefined();
  });

  it('never shows credentials of a source URL or values in a message', () => {
    expect(shownUrl('https://user:t0ken@github.com/acme/shop.git?x=1')).toBe(
      'https://github.com/acme/shop.git',
    );
    expect(shownUrl('git@github.com:acme/shop.git')).toBe(
      'github.com:acme/shop.git',
    );
    const release = fluxHelmRelease({
      namespace: 'shop',
      name: 'shop',
      chart: 'shop',
      version: '1.0.0',
      source: { name: 'charts' },
      values: { auth: { apiKey: 'k1' }, db: { password: PLANTED } },
    });
    expect(
      safeMessage(`failed: ${PLANTED} and apiKey=k1 were refused`, release),
    ).toBe('failed: [hidden] and apiKey=[hidden] were refused');
    expect(safeMessage('x'.repeat(400), release)).toHaveLength(301);
  });

  it('fingerprints Kustomization substitutions as hashes, path and images shown', () => {
    const object: FluxObject = {
      spec: {
        path: './deploy/staging',
        images: [{ name: 'ghcr.io/acme/shop', newTag: '1.5.0' }],
        postBuild: { substitute: { DB_PASSWORD: PLANTED, REGION: 'eu' } },
      },
    };
    const config = configOf(
      { kind: 'Kustomization', object, cluster: 'c' },
      '',
      createConfigFingerprinter(),
    );
    expect(config).toEqual({
      'kustomize.path': { hash: expect.any(String), value: './deploy/staging' },
      'kustomize.images.ghcr.io/acme/shop': {
        hash: expect.any(String),
        value: '1.5.0',
      },
      'kustomize.substitute.DB_PASSWORD': {
        hash: expect.any(String),
        secret: true,
      },
      'kustomize.substitute.REGION': { hash: expect.any(String) },
    });
    expect(JSON.stringify(config)).not.toContain(PLANTED);
  });
});
