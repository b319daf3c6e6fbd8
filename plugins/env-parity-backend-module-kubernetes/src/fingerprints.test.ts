import { createConfigFingerprinter } from '@env-parity/plugin-env-parity-node';
import { rememberingShown } from './fingerprints';

describe('rememberingShown', () => {
  /** The real fingerprinter, counting the values it hashes. */
  function counted() {
    const real = createConfigFingerprinter({ key: 'test-key' });
    const hashed: string[] = [];
    return {
      real,
      hashed,
      fingerprinter: {
        fingerprint: (
          value: string,
          options?: { secret?: boolean; show?: boolean },
        ) => {
          hashed.push(value);
          return real.fingerprint(value, options);
        },
      },
    };
  }

  it('hashes a shown value once, and gives each caller its own copy of the same fingerprint', () => {
    const { real, hashed, fingerprinter } = counted();
    const remembering = rememberingShown(fingerprinter);
    const a = remembering.fingerprint('64Mi', { show: true });
    const b = remembering.fingerprint('64Mi', { show: true });
    expect(a).toEqual(real.fingerprint('64Mi', { show: true }));
    expect(a).toEqual({ hash: expect.any(String), value: '64Mi' });
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
    expect(hashed).toEqual(['64Mi']);
  });

  it('never remembers a secret, a value not shown or a long value', () => {
    const { real, hashed, fingerprinter } = counted();
    const remembering = rememberingShown(fingerprinter);
    const long = 'x'.repeat(300);
    for (let i = 0; i < 2; i++) {
      expect(
        remembering.fingerprint('s3cret', { secret: true, show: true }),
      ).toEqual(real.fingerprint('s3cret', { secret: true }));
      expect(remembering.fingerprint('hidden')).toEqual(
        real.fingerprint('hidden'),
      );
      expect(remembering.fingerprint(long, { show: true })).toEqual(
        real.fingerprint(long, { show: true }),
      );
    }
    expect(hashed).toEqual([
      's3cret',
      'hidden',
      long,
      's3cret',
      'hidden',
      long,
    ]);
  });

  it('starts over past the number of values it keeps', () => {
    const { hashed, fingerprinter } = counted();
    const remembering = rememberingShown(fingerprinter, 2);
    for (const value of ['1', '2', '1', '3', '1']) {
      remembering.fingerprint(value, { show: true });
    }
    // '3' found the memory full: it started over with '3' alone
    expect(hashed).toEqual(['1', '2', '3', '1']);
  });
});
