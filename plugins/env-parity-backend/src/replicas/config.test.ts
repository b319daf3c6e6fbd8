import { ConfigReader } from '@backstage/config';
import { DEFAULT_REPLICA_OPTIONS, readReplicaOptions } from './config';

const read = (replicas?: object) =>
  readReplicaOptions(
    new ConfigReader({ envParity: replicas ? { replicas } : {} }),
  );

describe('readReplicaOptions', () => {
  it('is off without envParity.replicas, and applies the defaults', () => {
    expect(read()).toBeUndefined();
    expect(read({})).toEqual(DEFAULT_REPLICA_OPTIONS);
    expect(DEFAULT_REPLICA_OPTIONS).toMatchObject({
      defaultTtlMs: 4 * 3_600_000,
      maxTtlMs: 8 * 3_600_000,
      perUserLimit: 2,
      globalLimit: 20,
      notifyBeforeMs: 30 * 60_000,
      sweepIntervalMs: 60_000,
    });
  });

  it('reads every key, and a maxTtl shorter than the default lifetime shortens it', () => {
    expect(
      read({
        defaultTtl: { hours: 1 },
        maxTtl: '2h',
        perUserLimit: 1,
        globalLimit: 5,
        notifyBefore: { minutes: 10 },
        sweepInterval: { seconds: 30 },
      }),
    ).toMatchObject({
      defaultTtlMs: 3_600_000,
      maxTtlMs: 7_200_000,
      perUserLimit: 1,
      globalLimit: 5,
      notifyBeforeMs: 600_000,
      sweepIntervalMs: 30_000,
    });
    expect(read({ maxTtl: { hours: 2 } })).toMatchObject({
      defaultTtlMs: 7_200_000,
    });
  });

  it('refuses bad values, naming the key', () => {
    expect(() => read({ perUserLimit: 0 })).toThrow(
      'envParity.replicas.perUserLimit must be a whole number of at least 1',
    );
    expect(() => read({ globalLimit: 1.5 })).toThrow(
      'envParity.replicas.globalLimit',
    );
    expect(() =>
      read({ defaultTtl: { hours: 3 }, maxTtl: { hours: 2 } }),
    ).toThrow(
      'envParity.replicas.defaultTtl must not be longer than envParity.replicas.maxTtl',
    );
  });
});
