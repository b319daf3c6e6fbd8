import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { DEFAULT_ACCESS_OPTIONS, readAccessOptions } from './config';

const read = (access?: JsonObject) =>
  readAccessOptions(
    new ConfigReader(access === undefined ? {} : { envParity: { access } }),
  );

describe('readAccessOptions', () => {
  it('applies every default without envParity.access', () => {
    expect(read()).toEqual(DEFAULT_ACCESS_OPTIONS);
    expect(read({})).toEqual(DEFAULT_ACCESS_OPTIONS);
  });

  it('reads nestedGroups, off unless set', () => {
    expect(DEFAULT_ACCESS_OPTIONS.nestedGroups).toBe(false);
    expect(read().nestedGroups).toBe(false);
    expect(read({ requiredApprovals: 2 }).nestedGroups).toBe(false);
    expect(read({ nestedGroups: false }).nestedGroups).toBe(false);
    expect(read({ nestedGroups: true })).toEqual({
      ...DEFAULT_ACCESS_OPTIONS,
      nestedGroups: true,
    });
  });

  it('reads nestedGroups from an environment variable string', () => {
    expect(read({ nestedGroups: 'true' }).nestedGroups).toBe(true);
    expect(read({ nestedGroups: 'false' }).nestedGroups).toBe(false);
  });

  it('refuses a nestedGroups that is not a boolean, naming it', () => {
    expect(() => read({ nestedGroups: 'sometimes' })).toThrow(
      /envParity\.access\.nestedGroups/,
    );
    expect(() => read({ nestedGroups: { enabled: true } })).toThrow(
      /envParity\.access\.nestedGroups/,
    );
  });

  it('takes the kinds that may be requested from envParity.collector.kinds', () => {
    expect(read().kinds).toEqual(['Component']);
    const config = new ConfigReader({
      envParity: {
        collector: { kinds: ['Component', 'System'] },
        access: { requiredApprovals: 2 },
      },
    });
    expect(readAccessOptions(config).kinds).toEqual(['Component', 'System']);
    expect(
      readAccessOptions(
        new ConfigReader({ envParity: { collector: { kinds: ['System'] } } }),
      ).kinds,
    ).toEqual(['System']);
  });
});
