import { ConfigReader } from '@backstage/config';
import { entityRefFromParams, readReportedKinds } from './entityRef';

describe('entityRefFromParams', () => {
  const kinds = ['Component'];

  it('names the entity with a lower-case kind', () => {
    expect(
      entityRefFromParams(
        { kind: 'Component', namespace: 'default', name: 'Web-App' },
        { kinds },
      ),
    ).toBe('component:default/Web-App');
  });

  it('refuses kinds Env Parity does not report on, naming the setting', () => {
    expect(() =>
      entityRefFromParams(
        { kind: 'group', namespace: 'default', name: 'sre' },
        { kinds },
      ),
    ).toThrow(
      'Env Parity reports on Component entities only (envParity.collector.kinds), not on group',
    );
  });

  it('accepts every configured kind, in any case', () => {
    expect(
      entityRefFromParams(
        { kind: 'RESOURCE', namespace: 'default', name: 'db' },
        { kinds: ['Component', 'Resource'] },
      ),
    ).toBe('resource:default/db');
  });

  it.each([
    [{ kind: 'com ponent', namespace: 'default', name: 'web' }],
    [{ kind: 'component', namespace: 'de\nfault', name: 'web' }],
    [{ kind: 'component', namespace: 'default', name: 'web\nforged' }],
    [{ kind: 'component', namespace: 'default' }],
  ])('refuses invalid parts with a 400: %j', params => {
    expect(() => entityRefFromParams(params, { kinds })).toThrow(
      expect.objectContaining({ name: 'InputError' }),
    );
  });

  it('quotes refused values without control characters', () => {
    expect(() =>
      entityRefFromParams(
        { kind: 'component', namespace: 'default', name: 'a\nb' },
        { kinds },
      ),
    ).toThrow('"a\\nb" is not a valid entity name');
  });
});

describe('readReportedKinds', () => {
  it('defaults to Component', () => {
    expect(readReportedKinds(new ConfigReader({}))).toEqual(['Component']);
  });

  it('reads envParity.collector.kinds', () => {
    expect(
      readReportedKinds(
        new ConfigReader({
          envParity: { collector: { kinds: ['Component', 'Resource'] } },
        }),
      ),
    ).toEqual(['Component', 'Resource']);
  });
});
