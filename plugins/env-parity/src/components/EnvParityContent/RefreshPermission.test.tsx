import { screen, waitFor } from '@testing-library/react';
import { FakeEnvParityApi, renderContent } from '../../__testUtils__/render';
import { driftReport } from '../../__testUtils__/reports';

// In its own file: permission decisions are cached for the whole test file.
describe('EnvParityContent without the refresh permission', () => {
  it('shows the report but disables Refresh', async () => {
    renderContent(new FakeEnvParityApi(async () => driftReport()), {
      canRefresh: false,
    });
    expect(await screen.findByText('observed 3 h ago')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Refresh' })).toBeDisabled(),
    );
  });
});
