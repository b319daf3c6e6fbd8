import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_ALIGN_REVIEW_TIMEOUT_MS,
  readAlignReviewTimeout,
} from './AlignmentLifecycle';

describe('readAlignReviewTimeout', () => {
  it('reads envParity.align.reviewTimeout, 24 hours by default', () => {
    expect(readAlignReviewTimeout(new ConfigReader({}))).toBe(
      DEFAULT_ALIGN_REVIEW_TIMEOUT_MS,
    );
    expect(DEFAULT_ALIGN_REVIEW_TIMEOUT_MS).toBe(24 * 60 * 60_000);
    expect(
      readAlignReviewTimeout(new ConfigReader({ reviewTimeout: '4h' })),
    ).toBe(4 * 60 * 60_000);
    expect(
      readAlignReviewTimeout(
        new ConfigReader({ reviewTimeout: { minutes: 90 } }),
      ),
    ).toBe(90 * 60_000);
  });

  it('refuses less than a minute', () => {
    expect(() =>
      readAlignReviewTimeout(new ConfigReader({ reviewTimeout: '10s' })),
    ).toThrow('envParity.align.reviewTimeout must be at least a minute');
  });
});
