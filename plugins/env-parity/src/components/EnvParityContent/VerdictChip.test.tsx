import { render, screen } from '@testing-library/react';
import { Verdict, verdictLabel } from '@env-parity/plugin-env-parity-common';
import { VerdictChip } from './VerdictChip';

const VERDICTS: Verdict[] = [
  'in-sync',
  'config-drift',
  'ahead',
  'different',
  'behind',
  'diverged',
  'tag-mismatch',
  'unknown',
];

describe('VerdictChip', () => {
  it('never says a verdict by colour alone: its words and an icon of its tone', () => {
    const tones = new Map<string, string>();
    for (const verdict of VERDICTS) {
      const { container, unmount } = render(<VerdictChip verdict={verdict} />);
      const chip = container.querySelector(`[data-verdict="${verdict}"]`)!;
      expect(chip).toHaveTextContent(verdictLabel(verdict) ?? verdict);
      const icon = chip.querySelector('svg[data-tone]');
      expect(icon).not.toBeNull();
      // decorative: the words say it to a screen reader
      expect(icon).toHaveAttribute('aria-hidden', 'true');
      tones.set(icon!.getAttribute('data-tone')!, icon!.innerHTML);
      unmount();
    }
    // a different shape for each tone
    expect([...tones.keys()].sort()).toEqual([
      'bad',
      'good',
      'neutral',
      'warning',
    ]);
    expect(new Set(tones.values()).size).toBe(4);
    expect(screen.queryByRole('img')).toBeNull();
  });
});
