import { ConfigReader } from '@backstage/config';
import {
  configFingerprinterFromConfig,
  createConfigFingerprinter,
} from './fingerprint';

describe('ConfigFingerprinter', () => {
  it('hashes stably and keeps a value only when asked and not secret', () => {
    const f = createConfigFingerprinter();
    const a = f.fingerprint('s3cr3t-value', { secret: true, show: true });
    expect(a).toEqual({
      hash: expect.stringMatching(/^[0-9a-f]{32}$/),
      secret: true,
    });
    expect(JSON.stringify(a)).not.toContain('s3cr3t-value');
    expect(f.fingerprint('s3cr3t-value').hash).toBe(a.hash);
    expect(f.fingerprint('other').hash).not.toBe(a.hash);
    expect(f.fingerprint('info', { show: true })).toEqual({
      hash: expect.any(String),
      value: 'info',
    });
    expect(f.fingerprint('info')).toEqual({ hash: expect.any(String) });
    expect(f.fingerprint('x'.repeat(500), { show: true }).value).toHaveLength(
      201,
    );
  });

  it('depends on the configured key', () => {
    const keyed = configFingerprinterFromConfig(
      new ConfigReader({ envParity: { config: { hashKey: 'k1' } } }),
    );
    const other = configFingerprinterFromConfig(
      new ConfigReader({ envParity: { config: { hashKey: 'k2' } } }),
    );
    const none = configFingerprinterFromConfig(new ConfigReader({}));
    expect(keyed.fingerprint('v').hash).not.toBe(other.fingerprint('v').hash);
    expect(none.fingerprint('v').hash).toBe(
      createConfigFingerprinter().fingerprint('v').hash,
    );
  });
});
