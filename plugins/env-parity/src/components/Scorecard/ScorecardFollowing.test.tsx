import { screen, waitFor, within } from '@testing-library/react';
import { FakeScorecardApi } from './__testUtils__/FakeScorecardApi';
import { renderScorecard } from './__testUtils__/renderScorecard';

function tile(name: string) {
  return within(screen.getByRole('group', { name }));
}

// full renders of a page with MUI tables and pickers are slow in jsdom
jest.setTimeout(120_000);

describe('the scorecard count of services following production', () => {
  it('shows how many services follow production in the compared environment', async () => {
    const api = new FakeScorecardApi();
    api.following = { staging: ['payments', 'ledger'] };
    renderScorecard(api);

    await waitFor(() =>
      expect(tile('Following production').getByText('2')).toBeInTheDocument(),
    );
    expect(
      tile('Following production').getByText(
        'Their staging is aligned with production whenever production changes',
      ),
    ).toBeInTheDocument();
  });

  it('counts within the filters', async () => {
    const api = new FakeScorecardApi();
    api.following = { staging: ['payments', 'checkout'] };
    renderScorecard(api, '/env-parity?owner=payments-team');
    await waitFor(() =>
      expect(tile('Following production').getByText('1')).toBeInTheDocument(),
    );
  });

  it('says when the compared environment does not follow production', async () => {
    const api = new FakeScorecardApi();
    api.following = { preprod: 'all' };
    renderScorecard(api);
    await waitFor(() =>
      expect(tile('Following production').getByText('0')).toBeInTheDocument(),
    );
    expect(
      tile('Following production').getByText(
        'Staging is not aligned with production automatically',
      ),
    ).toBeInTheDocument();
  });

  it('has no tile when following production is off', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api);
    await waitFor(() =>
      expect(tile('Services tracked').getByText('8')).toBeInTheDocument(),
    );
    expect(
      screen.queryByRole('group', { name: 'Following production' }),
    ).not.toBeInTheDocument();
  });
});
