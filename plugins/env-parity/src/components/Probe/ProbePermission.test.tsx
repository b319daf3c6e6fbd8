import { screen, waitFor } from '@testing-library/react';
import { FakeEnvParityApi, renderContent } from '../../__testUtils__/render';
import { driftReport } from '../../__testUtils__/reports';
import { probedEntity } from '../../__testUtils__/probes';

// In its own file: permission decisions are cached for the whole test file.
describe('Compare an endpoint without env-parity.probe.run', () => {
  it('is hidden, while the rest of the tab works', async () => {
    renderContent(new FakeEnvParityApi(async () => driftReport()), {
      entity: probedEntity,
      denied: ['env-parity.probe.run'],
    });
    expect(await screen.findByText('Reproduce production')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Refresh' })).toBeEnabled(),
    );
    expect(screen.queryByText('Compare an endpoint')).not.toBeInTheDocument();
  });
});
