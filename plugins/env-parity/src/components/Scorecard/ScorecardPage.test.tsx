import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { backstageError } from '../../__testUtils__/render';
import {
  FakeScorecardApi,
  scorecardRow,
  scorecardRows,
  trendPoints,
} from './__testUtils__/FakeScorecardApi';
import {
  currentLocation,
  currentParams,
  renderScorecard,
} from './__testUtils__/renderScorecard';

/** The service names of the table's rows, in order. */
async function tableRows(): Promise<string[]> {
  const table = await screen.findByRole('table', { name: 'Services' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row => within(row).getAllByRole('rowheader')[0].textContent ?? '');
}

function lastCall<T>(calls: T[]): T {
  return calls[calls.length - 1];
}

function tile(name: string) {
  return within(screen.getByRole('group', { name }));
}

// full renders of a page with MUI tables and pickers are slow in jsdom
jest.setTimeout(120_000);

describe('ScorecardPage', () => {
  it('shows the summary tiles', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api);

    await waitFor(() =>
      expect(tile('Services tracked').getByText('8')).toBeInTheDocument(),
    );
    expect(tile('In parity').getByText('50%')).toBeInTheDocument();
    expect(
      tile('In parity').getByText(
        '4 of 8 services with a known verdict: staging in sync with production',
      ),
    ).toBeInTheDocument();
    // drifting: 12, 3, 1 and 0 days; the median is 2
    expect(tile('Median drift age').getByText('2 days')).toBeInTheDocument();
    expect(
      tile('Median drift age').getByText(
        'Staging has differed from production for 2 days (median of 4 services drifting)',
      ),
    ).toBeInTheDocument();
    expect(tile('Behind production').getByText('1')).toBeInTheDocument();
    expect(tile('Tag mismatch').getByText('1')).toBeInTheDocument();
    expect(api.summaryCalls).toEqual([{}]);
  });

  it('lists the worst services first, linking to their Parity tab', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api);

    expect(await tableRows()).toEqual([
      'Paymentsbilling',
      'ledgerbilling',
      'checkoutshop',
      'cartshop',
      'authshop',
      'catalogueshop',
      'gatewayshop',
      'searchshop',
    ]);
    expect(api.scorecardCalls).toEqual([
      { sort: 'score', order: 'asc', page: 1, pageSize: 25 },
    ]);

    const table = screen.getByRole('table', { name: 'Services' });
    expect(within(table).getByText('Payments').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/component/payments/parity',
    );
    const payments = within(table).getAllByRole('row')[1];
    const cells = within(payments).getAllByRole('cell');
    expect(cells.map(c => c.textContent)).toEqual([
      'payments-team',
      '1.4.2',
      '1.3.0',
      'behindcommits: 4 behind',
      '40',
      '12 days',
      '5 min ago',
    ]);
    expect(
      within(table).getByRole('columnheader', { name: 'Production version' }),
    ).toBeInTheDocument();
    expect(
      within(table).getByRole('columnheader', { name: 'Staging version' }),
    ).toBeInTheDocument();
    // a failed observation is flagged next to the verdict
    expect(
      within(table).getByRole('img', { name: 'The last observation failed' }),
    ).toBeInTheDocument();
  });

  it('asks the backend for another order when a column is sorted', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api);
    await tableRows();

    await userEvent.click(screen.getByRole('button', { name: 'Score' }));
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toEqual({
        sort: 'score',
        order: 'desc',
        page: 1,
        pageSize: 25,
      }),
    );
    expect(currentParams().get('order')).toBe('desc');
    await waitFor(async () => expect((await tableRows())[0]).toBe('authshop'));

    // a new column starts with its natural order: drift age longest first
    await userEvent.click(screen.getByRole('button', { name: 'Drift age' }));
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toEqual({
        sort: 'driftAge',
        order: 'desc',
        page: 1,
        pageSize: 25,
      }),
    );
    expect(currentLocation()).toBe('/env-parity?sort=driftAge&order=desc');
    await waitFor(async () =>
      expect((await tableRows()).slice(0, 2)).toEqual([
        'Paymentsbilling',
        'ledgerbilling',
      ]),
    );
  });

  it('pages on the server', async () => {
    const extra = Array.from({ length: 22 }, (_, i) =>
      scorecardRow(`svc-${String(i).padStart(2, '0')}`, {
        owner: 'group:default/platform',
      }),
    );
    const api = new FakeScorecardApi([...scorecardRows(), ...extra]);
    renderScorecard(api);
    expect(await tableRows()).toHaveLength(25);
    expect(screen.getByText('1-25 of 30')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toEqual({
        sort: 'score',
        order: 'asc',
        page: 2,
        pageSize: 25,
      }),
    );
    await waitFor(async () => expect(await tableRows()).toHaveLength(5));
    expect(screen.getByText('26-30 of 30')).toBeInTheDocument();
    expect(currentLocation()).toBe('/env-parity?page=2');

    // a bigger page goes back to the first page
    await userEvent.click(
      screen.getByRole('button', { name: /Rows per page/ }),
    );
    await userEvent.click(screen.getByRole('option', { name: '50' }));
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toEqual({
        sort: 'score',
        order: 'asc',
        page: 1,
        pageSize: 50,
      }),
    );
    await waitFor(async () => expect(await tableRows()).toHaveLength(30));
  });

  it('filters from the URL, for the table, the tiles and the trend', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api, '/env-parity?owner=group:default/payments-team');

    expect(await tableRows()).toEqual(['Paymentsbilling', 'ledgerbilling']);
    const filter = { owner: ['group:default/payments-team'] };
    expect(api.scorecardCalls).toEqual([
      { ...filter, sort: 'score', order: 'asc', page: 1, pageSize: 25 },
    ]);
    expect(api.summaryCalls).toEqual([filter]);
    // the roll-up compares every owner under the other filters
    expect(api.teamsCalls).toEqual([{}]);
    expect(api.trendCalls).toEqual([
      { owner: 'group:default/payments-team', days: 90 },
    ]);
    await waitFor(() =>
      expect(tile('Services tracked').getByText('2')).toBeInTheDocument(),
    );
    expect(
      screen.getByText('2 services match the filters, Staging vs Production'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Last 90 days, payments-team, Staging vs Production'),
    ).toBeInTheDocument();
  });

  it('filters by free text after a pause in typing', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api);
    await tableRows();

    await userEvent.type(screen.getByLabelText('Search'), 'ledg');
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toEqual({
        q: 'ledg',
        sort: 'score',
        order: 'asc',
        page: 1,
        pageSize: 25,
      }),
    );
    // one request for the whole word, not one per key
    expect(api.scorecardCalls.filter(c => c.q)).toHaveLength(1);
    expect(currentLocation()).toBe('/env-parity?q=ledg');
    await waitFor(async () =>
      expect(await tableRows()).toEqual(['ledgerbilling']),
    );
  });

  it('filters by verdict and "owned by me"', async () => {
    const api = new FakeScorecardApi();
    api.myOwnershipRefs = ['user:default/guest', 'group:default/platform'];
    renderScorecard(api);
    await tableRows();

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Show them: the services behind production',
      }),
    );
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toMatchObject({
        verdict: ['behind'],
        page: 1,
      }),
    );
    expect(lastCall(api.summaryCalls)).toEqual({ verdict: ['behind'] });
    await waitFor(async () =>
      expect(await tableRows()).toEqual(['Paymentsbilling']),
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Owned by me' }),
    );
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toEqual({
        ownedByMe: true,
        sort: 'score',
        order: 'asc',
        page: 1,
        pageSize: 25,
      }),
    );
    expect(currentLocation()).toBe('/env-parity?ownedByMe=true');
    await waitFor(async () =>
      expect(await tableRows()).toEqual(['authshop', 'gatewayshop']),
    );
  });

  it('rolls up per team, each linking to the table filtered to it', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api, '/env-parity?verdict=behind&verdict=in-sync');

    const rollup = await screen.findByRole('table', { name: 'Team roll-up' });
    const rows = within(rollup).getAllByRole('row').slice(1);
    expect(rows.map(r => within(r).getByRole('rowheader').textContent)).toEqual(
      // a tie of averages goes by owner name, as the backend sorts
      ['payments-team', 'platform', 'search-team'],
    );
    const payments = within(rows[0]);
    expect(payments.getAllByRole('cell').map(c => c.textContent)).toEqual([
      '1',
      '0% (0)',
      '40',
      'behind×1',
      '0',
      '12 days',
    ]);

    // the link keeps the other filters
    const link = payments.getByRole('link', { name: 'payments-team' });
    expect(decodeURIComponent(link.getAttribute('href')!)).toBe(
      '/env-parity?owner=group:default/payments-team&verdict=behind&verdict=in-sync',
    );
    await userEvent.click(link);
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toEqual({
        owner: ['group:default/payments-team'],
        verdict: ['behind', 'in-sync'],
        sort: 'score',
        order: 'asc',
        page: 1,
        pageSize: 25,
      }),
    );
    await waitFor(async () =>
      expect(await tableRows()).toEqual(['Paymentsbilling']),
    );
  });

  it('exports the filtered, sorted table as CSV', async () => {
    const api = new FakeScorecardApi();
    const createObjectURL = jest.fn((_: Blob) => 'blob:scorecard');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicks: Array<{ href: string; download: string }> = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicks.push({ href: this.href, download: this.download });
      });
    try {
      renderScorecard(api, '/env-parity?owner=payments-team&sort=name&page=2');
      await screen.findByRole('table', { name: 'Services' });

      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(clicks).toHaveLength(1));
      expect(api.exportCalls).toEqual([
        { owner: ['payments-team'], sort: 'name', order: 'asc' },
      ]);
      expect(clicks[0]).toEqual({
        href: 'blob:scorecard',
        download: 'env-parity-scorecard.csv',
      });
      const blob = createObjectURL.mock.calls[0][0];
      expect(await blob.text()).toContain('component:default/ledger,');
    } finally {
      click.mockRestore();
    }
  });

  it('explains how services get tracked when nothing is', async () => {
    renderScorecard(new FakeScorecardApi([]));

    expect(
      await screen.findByText('No services are tracked yet'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('env-parity/production.version'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'Services' }),
    ).not.toBeInTheDocument();
  });

  it('offers to clear filters that match nothing', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(
      api,
      '/env-parity?q=nothing-like-this&lifecycle=deprecated',
    );

    expect(
      await screen.findByText('No services match these filters'),
    ).toBeInTheDocument();
    const clear = screen.getAllByRole('button', { name: 'Clear filters' });
    await userEvent.click(clear[clear.length - 1]);

    expect(currentLocation()).toBe('/env-parity');
    await waitFor(async () => expect(await tableRows()).toHaveLength(8));
    expect(screen.getByLabelText('Search')).toHaveValue('');
  });

  it('says why when the scorecard may not be read', async () => {
    const api = new FakeScorecardApi();
    api.error = await backstageError(
      403,
      'NotAllowedError',
      'You are not allowed to read the environment parity scorecard',
    );
    renderScorecard(api);

    expect(
      await screen.findByText(
        'You are not allowed to read the environment parity scorecard: this needs the permission env-parity.scorecard.read.',
      ),
    ).toBeInTheDocument();
  });

  it('notes when totals may include hidden services', async () => {
    const api = new FakeScorecardApi();
    api.totalsMayIncludeHidden = true;
    renderScorecard(api);

    expect(
      await screen.findByText(/totals may include services you cannot see/),
    ).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    const api = new FakeScorecardApi();
    api.getScorecard = () => new Promise(() => {});
    api.getScorecardSummary = () => new Promise(() => {});
    renderScorecard(api);

    expect(
      await screen.findByRole('progressbar', { name: 'Loading the scorecard' }),
    ).toBeInTheDocument();
  });

  it('draws the trend with a table of the same figures', async () => {
    const api = new FakeScorecardApi();
    api.trendPoints = trendPoints([0.5, 0.625, 0.75]);
    renderScorecard(api);

    const chart = await screen.findByRole('img', {
      name: /In parity per day/,
    });
    expect(chart).toHaveAccessibleDescription(/50%.*75%/);
    expect(api.trendCalls).toEqual([{ owner: undefined, days: 90 }]);

    const data = screen.getByRole('table', { name: 'Trend per day' });
    const rows = within(data).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(within(rows[0]).getAllByRole('cell')[1]).toHaveTextContent(
      '75% (6)',
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Median drift age' }),
    );
    expect(
      screen.getByRole('img', { name: /Median drift age per day/ }),
    ).toBeInTheDocument();
  });

  it('says when there is no history yet', async () => {
    renderScorecard(new FakeScorecardApi());
    expect(await screen.findByText(/No history yet/)).toBeInTheDocument();
  });
});
