import { createConfigFingerprinter } from './fingerprint';
import {
  flattenValues,
  helmValuesFingerprints,
  isEntityRepository,
  isSecretConfigKey,
  normaliseRepoUrl,
} from './gitops';
import { testComponent } from './testUtils';

describe('gitops rules', () => {
  it('normalises repository URLs', () => {
    for (const url of [
      'git@github.com:Acme/Shop.git',
      'https://github.com/acme/shop',
      'ssh://git@github.com/acme/shop.git/',
      'https://token@github.com/acme/shop.git?ref=main',
    ]) {
      expect(normaliseRepoUrl(url)).toBe('github.com/acme/shop');
    }
  });

  it('knows the entity repository by GitHub or GitLab slug, or source location', () => {
    const github = testComponent('shop', {
      'github.com/project-slug': 'acme/shop',
    });
    expect(
      isEntityRepository('ssh://git@github.com/acme/shop.git', github),
    ).toBe(true);
    expect(
      isEntityRepository('https://github.com/acme/shop-config', github),
    ).toBe(false);
    const gitlab = testComponent('ledger', {
      'gitlab.com/project-slug': 'acme/payments/ledger',
    });
    expect(
      isEntityRepository(
        'https://gitlab.example.com/acme/payments/ledger.git',
        gitlab,
      ),
    ).toBe(true);
    const located = testComponent('x', {
      'backstage.io/source-location':
        'url:https://git.example/acme/x/tree/main/',
    });
    expect(isEntityRepository('https://git.example/acme/x.git', located)).toBe(
      true,
    );
    expect(isEntityRepository(undefined, located)).toBe(false);
  });

  it('flattens values and fingerprints them as hashes only, secret keys marked', () => {
    expect(flattenValues({ a: { b: [1, { c: 'x' }], d: [] }, e: {} })).toEqual([
      ['a.b[0]', '1'],
      ['a.b[1].c', 'x'],
      ['a.d', '[]'],
      ['e', '{}'],
    ]);
    const config = helmValuesFingerprints(
      { db: { password: 'hunter2', host: 'db' } },
      'helm.values.',
      createConfigFingerprinter(),
    );
    expect(config).toEqual({
      'helm.values.db.password': { hash: expect.any(String), secret: true },
      'helm.values.db.host': { hash: expect.any(String) },
    });
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(isSecretConfigKey('auth.apiKey')).toBe(true);
    expect(isSecretConfigKey('replicaCount')).toBe(false);
  });
});
