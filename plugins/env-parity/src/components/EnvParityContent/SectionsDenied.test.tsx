import { screen, waitFor, within } from '@testing-library/react';
import { FakeEnvParityApi, renderContent } from '../../__testUtils__/render';
import { probedEntity } from '../../__testUtils__/probes';
import { driftReport } from '../../__testUtils__/reports';

/*
 * In a file of its own: usePermission keeps its answers in a cache shared by
 * every render of one test file (SWR's), so a test that allowed
 * env-parity.probe.run before this one could hand it a stale "allowed".
 */
describe('EnvParityContent: a denied section', () => {
  it('leaves out a section whose content is denied, and its link', async () => {
    renderContent(new FakeEnvParityApi(async () => driftReport()), {
      entity: probedEntity,
      denied: ['env-parity.probe.run'],
    });

    expect(
      await screen.findByRole('button', { name: 'Drift' }),
    ).toHaveAttribute('aria-expanded', 'true');
    await waitFor(
      () =>
        expect(
          within(
            screen.getByRole('navigation', { name: 'Parity sections' }),
          ).queryByRole('link', { name: 'Compare' }),
        ).not.toBeInTheDocument(),
      { timeout: 10_000 },
    );
    expect(
      within(
        screen.getByRole('navigation', { name: 'Parity sections' }),
      ).getByRole('link', { name: 'Reproduce' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Compare' }),
    ).not.toBeInTheDocument();
  });
});
