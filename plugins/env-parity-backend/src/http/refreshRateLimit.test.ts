import { ConfigReader } from '@backstage/config';
import { readRefreshRateLimit } from './refreshRateLimit';

describe('readRefreshRateLimit', () => {
  it('defaults to 30 refreshes a minute', () => {
    expect(readRefreshRateLimit(new ConfigReader({}))).toEqual({
      requests: 30,
      windowMs: 60_000,
    });
  });

  it('reads envParity.refresh.rateLimit', () => {
    const config = new ConfigReader({
      envParity: {
        refresh: { rateLimit: { requests: 5, window: { seconds: 10 } } },
      },
    });
    expect(readRefreshRateLimit(config)).toEqual({
      requests: 5,
      windowMs: 10_000,
    });
  });

  it('refuses a limit that lets nothing through', () => {
    const config = new ConfigReader({
      envParity: { refresh: { rateLimit: { requests: 0 } } },
    });
    expect(() => readRefreshRateLimit(config)).toThrow(
      'envParity.refresh.rateLimit.requests must be a whole number above 0',
    );
  });
});
