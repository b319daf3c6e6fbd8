import { ConfigReader } from '@backstage/config';
import { configFingerprinterFromConfig } from '@env-parity/plugin-env-parity-node';
import {
  configOf,
  imageName,
  isOwnRepo,
  normaliseRepoUrl,
  parseKustomizeImage,
} from './applications';
import { application, parseLabelSelector } from '@env-parity/fake-apis';
import { component } from './__testUtils__/setup';

describe('applications', () => {
  it.each([
    ['https://github.com/Acme/Shop.git', 'github.com/acme/shop'],
    ['git@github.com:acme/shop.git', 'github.com/acme/shop'],
    ['ssh://git@github.com/acme/shop', 'github.com/acme/shop'],
    [
      'https://gitlab.example.com:8443/group/sub/shop/',
      'gitlab.example.com:8443/group/sub/shop',
    ],
  ])('normalises %s', (url, expected) => {
    expect(normaliseRepoUrl(url)).toBe(expected);
  });

  it('recognises the own repository by slug or source location only', () => {
    const bySlug = component({ 'github.com/project-slug': 'acme/shop' });
    expect(isOwnRepo('https://github.com/acme/shop', bySlug)).toBe(true);
    expect(isOwnRepo('https://github.com/acme/shop-config', bySlug)).toBe(
      false,
    );
    const byLocation = component({
      'backstage.io/source-location':
        'url:https://gitlab.example.com/group/shop/-/tree/main/',
    });
    expect(
      isOwnRepo('https://gitlab.example.com/group/shop.git', byLocation),
    ).toBe(true);
    expect(
      isOwnRepo('https://gitlab.example.com/group/other', byLocation),
    ).toBe(false);
    expect(isOwnRepo(undefined, bySlug)).toBe(false);
  });

  it.each([
    ['ghcr.io/acme/shop:1.4.2', 'shop'],
    ['localhost:5000/shop@sha256:abc', 'shop'],
    ['nginx', 'nginx'],
  ])('names image %s', (ref, name) => {
    expect(imageName(ref)).toBe(name);
  });

  it.each([
    ['ghcr.io/acme/shop:1.4.2', { name: 'ghcr.io/acme/shop', value: '1.4.2' }],
    [
      'shop=ghcr.io/acme/shop:1.4.2',
      { name: 'shop', value: 'ghcr.io/acme/shop:1.4.2' },
    ],
    ['localhost:5000/shop:2', { name: 'localhost:5000/shop', value: '2' }],
    ['redis@sha256:ab', { name: 'redis', value: '@sha256:ab' }],
    ['  ', undefined],
  ])('splits kustomize image %p', (entry, expected) => {
    expect(parseKustomizeImage(entry)).toEqual(expected);
  });

  it('lets valuesObject override values and marks secret-looking keys', () => {
    const app = application({
      name: 'shop',
      helm: {
        values: 'replicaCount: 2\nredis:\n  auth:\n    password: x\n',
        valuesObject: { replicaCount: 3, apiKey: 'k' },
      },
    }) as any;
    const fp = configFingerprinterFromConfig(new ConfigReader({}));
    const { config, findings } = configOf(app, 'argo', fp);
    expect(findings).toEqual([]);
    expect(config['helm.values.replicaCount']).toEqual(fp.fingerprint('3'));
    expect(config['helm.values.redis.auth.password'].secret).toBe(true);
    expect(config['helm.values.apiKey'].secret).toBe(true);
  });

  it('parses label selectors like the API server', () => {
    const matches = (selector: string, labels: Record<string, string>) =>
      parseLabelSelector(selector).every(r => r(labels));
    expect(
      matches('app=shop,env in (staging, prod)', { app: 'shop', env: 'prod' }),
    ).toBe(true);
    expect(
      matches('app==shop,env notin (prod)', { app: 'shop', env: 'prod' }),
    ).toBe(false);
    expect(matches('tier,!canary', { tier: 'web' })).toBe(true);
    expect(matches('tier!=db', { tier: 'db' })).toBe(false);
    expect(() => parseLabelSelector('app=(')).toThrow('unable to parse');
  });
});
