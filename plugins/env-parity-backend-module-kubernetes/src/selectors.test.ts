import { parseSelector } from '@env-parity/fake-apis';
import {
  checkLabelSelector,
  isNamespace,
  matchesSelector,
  parseLabelSelector,
} from './selectors';

describe('checkLabelSelector', () => {
  it.each([
    ['app=api', 'app=api'],
    [' app == api , tier!=db ', 'app==api,tier!=db'],
    ['env in (staging, prod),!legacy', 'env in (staging,prod),!legacy'],
    [
      'app.kubernetes.io/name notin (a),canary',
      'app.kubernetes.io/name notin (a),canary',
    ],
    ['backstage.io/kubernetes-id=api', 'backstage.io/kubernetes-id=api'],
  ])('accepts %p', (selector, normalised) => {
    expect(checkLabelSelector(selector)).toBe(normalised);
  });

  it.each([
    ['', 'the label selector is empty'],
    ['app=api,', 'the label selector has an empty requirement'],
    ['app in (a,b', 'the label selector has unbalanced parentheses'],
    ['app=a b', '"app=a b" in the label selector is not a valid requirement'],
    ['-app=x', '"-app=x" in the label selector has an invalid label key'],
    ['app=x&y', '"app=x&y" in the label selector has an invalid label value'],
    [
      'app in ()',
      '"app in ()" in the label selector has an invalid value list',
    ],
  ])('refuses %p', (selector, message) => {
    expect(() => checkLabelSelector(selector)).toThrow(message);
  });
});

describe('isNamespace', () => {
  it('accepts DNS labels only', () => {
    expect(isNamespace('shop')).toBe(true);
    expect(isNamespace('team-a1')).toBe(true);
    expect(isNamespace('Shop')).toBe(false);
    expect(isNamespace('../x')).toBe(false);
    expect(isNamespace('a'.repeat(64))).toBe(false);
  });
});

describe('matchesSelector', () => {
  const labels = { app: 'api', tier: 'web', track: 'stable' };
  it.each([
    [{ matchLabels: { app: 'api' } }, true],
    [{ matchLabels: { app: 'api', tier: 'db' } }, false],
    [
      {
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'db'] },
        ],
      },
      true,
    ],
    [
      {
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }],
      },
      false,
    ],
    [
      {
        matchExpressions: [
          { key: 'canary', operator: 'NotIn', values: ['true'] },
        ],
      },
      true,
    ],
    [{ matchExpressions: [{ key: 'track', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'track', operator: 'DoesNotExist' }] }, false],
    [
      {
        matchLabels: { app: 'api' },
        matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }],
      },
      true,
    ],
    [{ matchExpressions: [{ key: 'app', operator: 'Bogus' }] }, false],
    [{}, false],
    [undefined, false],
  ])('%j → %p', (selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });
});

describe('parseLabelSelector', () => {
  const labelSets: Array<Record<string, string>> = [
    {},
    { app: 'api' },
    { app: 'api', tier: 'web' },
    { app: 'web', tier: '' },
    { app: 'api', legacy: 'true' },
    { 'backstage.io/kubernetes-id': 'api' },
    { env: 'staging', app: 'worker' },
  ];

  it.each([
    'app=api',
    'app==api',
    'app!=api',
    'app in (api, web)',
    'app notin (api)',
    'tier',
    '!legacy',
    'tier=',
    'app in (api,web),!legacy,tier!=db',
    'backstage.io/kubernetes-id=api',
    'env in (staging),app',
  ])('matches %p in memory as the API server does', selector => {
    const object = parseLabelSelector(selector);
    const server = parseSelector(checkLabelSelector(selector));
    for (const labels of labelSets) {
      expect({ labels, matches: matchesSelector(object, labels) }).toEqual({
        labels,
        matches: server.every(r => r(labels)),
      });
    }
  });

  it('reads each requirement', () => {
    expect(parseLabelSelector('a=b,c!=d,e in (f,g),h notin (i),j,!k')).toEqual({
      matchExpressions: [
        { key: 'a', operator: 'In', values: ['b'] },
        { key: 'c', operator: 'NotIn', values: ['d'] },
        { key: 'e', operator: 'In', values: ['f', 'g'] },
        { key: 'h', operator: 'NotIn', values: ['i'] },
        { key: 'j', operator: 'Exists' },
        { key: 'k', operator: 'DoesNotExist' },
      ],
    });
    expect(() => parseLabelSelector('a=b&c')).toThrow(
      'has an invalid label value',
    );
  });
});
