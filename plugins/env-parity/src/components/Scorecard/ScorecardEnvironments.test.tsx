import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ScorecardFilter } from '@env-parity/plugin-env-parity-common';
import { FakeScorecardApi } from './__testUtils__/FakeScorecardApi';
import {
  currentLocation,
  renderScorecard,
} from './__testUtils__/renderScorecard';

// full renders of a page with MUI tables and pickers are slow in jsdom,
// more so on a loaded machine: wait for conditions generously
jest.setTimeout(120_000);
configure({ asyncUtilTimeout: 10_000 });

function lastCall<T>(calls: T[]): T {
  return calls[calls.length - 1];
}

function tile(name: string) {
  return within(screen.getByRole('group', { name }));
}

function environmentSelect() {
  return screen.getByRole('combobox', { name: 'Environment' });
}

/** Each row of the services table as its cells' texts, header cell first. */
async function tableCells(): Promise<string[][]> {
  const table = await screen.findByRole('table', { name: 'Services' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row =>
      [
        ...within(row).getAllByRole('rowheader'),
        ...within(row).getAllByRole('cell'),
      ].map(cell => cell.textContent ?? ''),
    );
}

function columnHeaders(): string[] {
  const table = screen.getByRole('table', { name: 'Services' });
  return within(table)
    .getAllByRole('columnheader')
    .map(h => h.textContent ?? '');
}

/** Every request of the page since the last reset, with its environment. */
function environmentsAsked(api: FakeScorecardApi): Array<string | undefined> {
  return [
    ...api.scorecardCalls,
    ...api.summaryCalls,
    ...api.teamsCalls,
    ...api.trendCalls,
  ].map(call => (call as ScorecardFilter).environment);
}

describe('ScorecardPage environments', () => {
  it('offers every environment and the worst view, showing the default', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api);

    await waitFor(() => expect(environmentSelect()).toHaveValue('staging'));
    expect(
      within(environmentSelect())
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['Development', 'Staging', 'Worst environment']);
    expect(
      screen.getByRole('heading', { name: 'Staging vs Production' }),
    ).toBeInTheDocument();
    // no environment in the URL: the backend's default, asked once
    expect(api.environmentsCalls).toHaveLength(1);
    expect(environmentsAsked(api).every(e => e === undefined)).toBe(true);
    await waitFor(() =>
      expect(tile('Services tracked').getByText('8')).toBeInTheDocument(),
    );
  });

  it('shows the chosen environment in the tiles, table, roll-up, trend and export, and keeps it in the URL', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api, '/env-parity?owner=payments-team&sort=name');
    await waitFor(() => expect(environmentSelect()).toHaveValue('staging'));
    await tableCells();

    await userEvent.selectOptions(environmentSelect(), 'development');

    expect(currentLocation()).toBe(
      '/env-parity?owner=payments-team&environment=development&sort=name',
    );
    const filter = { owner: ['payments-team'], environment: 'development' };
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toEqual({
        ...filter,
        sort: 'name',
        order: 'asc',
        page: 1,
        pageSize: 25,
      }),
    );
    expect(lastCall(api.summaryCalls)).toEqual(filter);
    expect(lastCall(api.teamsCalls)).toEqual({ environment: 'development' });
    expect(lastCall(api.trendCalls)).toEqual({
      owner: 'payments-team',
      days: 90,
      environment: 'development',
    });

    // development's rows: ledger runs another branch, payments is ahead
    await waitFor(async () =>
      expect((await tableCells()).map(r => r.slice(0, 6))).toEqual([
        [
          'ledgerbilling',
          'payments-team',
          '2.0.0',
          'feature-x',
          'a different build',
          '20',
        ],
        [
          'Paymentsbilling',
          'payments-team',
          '1.4.2',
          '1.5.0-dev.3',
          'aheadcommits: 3 ahead',
          '70',
        ],
      ]),
    );
    expect(columnHeaders()).toContain('Development version');
    expect(
      screen.getByRole('heading', { name: 'Development vs Production' }),
    ).toBeInTheDocument();
    expect(
      tile('Services tracked').getByText(
        'Development compared with production',
      ),
    ).toBeInTheDocument();
    // staging's tag mismatch (ledger) is not development's
    expect(tile('Tag mismatch').getByText('0')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Last 90 days, payments-team, Development vs Production',
      ),
    ).toBeInTheDocument();

    // the export asks for the same environment
    Object.assign(URL, {
      createObjectURL: jest.fn(() => 'blob:scorecard'),
      revokeObjectURL: jest.fn(),
    });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    try {
      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(api.exportCalls).toHaveLength(1));
      expect(api.exportCalls[0]).toEqual({
        ...filter,
        sort: 'name',
        order: 'asc',
      });
    } finally {
      click.mockRestore();
    }
  });

  it('opens on the environment the URL names, asking for nothing else', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api, '/env-parity?environment=development');

    await waitFor(async () =>
      expect((await tableCells()).map(r => r[0])).toEqual([
        'ledgerbilling',
        'Paymentsbilling',
        'checkoutshop',
        'searchshop',
      ]),
    );
    expect(environmentSelect()).toHaveValue('development');
    await waitFor(() => expect(api.trendCalls).toHaveLength(1));
    // a reload of a linked view never shows, nor asks for, another environment
    expect(environmentsAsked(api)).toEqual([
      'development',
      'development',
      'development',
      'development',
    ]);
  });

  it("names each service's worst environment in the worst environment view", async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api);
    await tableCells();

    await userEvent.selectOptions(environmentSelect(), 'worst');

    expect(currentLocation()).toBe('/env-parity?environment=worst');
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toMatchObject({
        environment: 'worst',
      }),
    );
    expect(lastCall(api.summaryCalls)).toEqual({ environment: 'worst' });
    expect(lastCall(api.teamsCalls)).toEqual({ environment: 'worst' });
    expect(lastCall(api.trendCalls)).toMatchObject({ environment: 'worst' });

    await waitFor(() =>
      expect(columnHeaders()).toEqual([
        'Service',
        'Owner',
        'Production version',
        'Worst environment',
        'Version there',
        'Verdict',
        'Score',
        'Drift age',
        'Last observed',
      ]),
    );
    await waitFor(async () =>
      expect((await tableCells()).map(r => [r[0], r[3], r[6]])).toEqual([
        ['ledgerbilling', 'Development', '20'],
        ['Paymentsbilling', 'Staging', '40'],
        // the same score in both: staging, closer to production
        ['checkoutshop', 'Staging', '78'],
        ['cartshop', 'Staging', '90'],
        ['searchshop', 'Development', '90'],
        ['authshop', 'Staging', '100'],
        ['catalogueshop', 'Staging', '100'],
        ['gatewayshop', 'Staging', '100'],
      ]),
    );
    expect(
      screen.getByRole('heading', { name: 'Worst environment vs Production' }),
    ).toBeInTheDocument();
    expect(
      tile('Services tracked').getByText(
        "Each service's worst environment compared with production",
      ),
    ).toBeInTheDocument();
    expect(
      tile('In parity').getByText(
        '3 of 8 services with a known verdict: every environment in sync with production',
      ),
    ).toBeInTheDocument();

    // the service still links to its Parity tab
    const table = screen.getByRole('table', { name: 'Services' });
    expect(within(table).getByText('ledger').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/component/ledger/parity',
    );
  });

  it('keeps the environment when filters are cleared and in the team links', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api, '/env-parity?environment=development&verdict=ahead');

    await waitFor(async () =>
      expect((await tableCells()).map(r => r[0])).toEqual([
        'Paymentsbilling',
        'checkoutshop',
      ]),
    );
    const rollup = await screen.findByRole('table', { name: 'Team roll-up' });
    const link = within(rollup).getByRole('link', { name: 'payments-team' });
    expect(decodeURIComponent(link.getAttribute('href')!)).toBe(
      '/env-parity?owner=group:default/payments-team&verdict=ahead&environment=development',
    );

    const clear = screen.getAllByRole('button', { name: 'Clear filters' });
    await userEvent.click(clear[0]);
    expect(currentLocation()).toBe('/env-parity?environment=development');
    await waitFor(() =>
      expect(lastCall(api.scorecardCalls)).toEqual({
        environment: 'development',
        sort: 'score',
        order: 'asc',
        page: 1,
        pageSize: 25,
      }),
    );
    expect(environmentSelect()).toHaveValue('development');
  });

  it('shows the default, with a note, for an environment the scorecard does not have', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api, '/env-parity?environment=qa');

    expect(
      await screen.findByText(
        /The scorecard has no environment named "qa": showing Staging instead/,
      ),
    ).toBeInTheDocument();
    await waitFor(async () => expect(await tableCells()).toHaveLength(8));
    expect(environmentSelect()).toHaveValue('staging');
    expect(environmentsAsked(api)).not.toContain('qa');
  });

  it('explains that the reference environment is not compared with itself', async () => {
    const api = new FakeScorecardApi();
    renderScorecard(api, '/env-parity?environment=production');

    expect(
      await screen.findByText(
        /Production is the reference environment, which every other one is compared with: showing Staging instead/,
      ),
    ).toBeInTheDocument();
    await waitFor(async () => expect(await tableCells()).toHaveLength(8));
    expect(environmentsAsked(api)).not.toContain('production');
  });

  it('still shows the default environment when the environments cannot be read', async () => {
    const api = new FakeScorecardApi();
    api.environmentsError = new Error('no environments route');
    renderScorecard(api);

    await waitFor(async () => expect(await tableCells()).toHaveLength(8));
    expect(
      screen.queryByRole('combobox', { name: 'Environment' }),
    ).not.toBeInTheDocument();
    // the summary says which environment it compared
    expect(
      screen.getByRole('heading', { name: 'Staging vs Production' }),
    ).toBeInTheDocument();
  });

  it('keeps the selector when the chosen environment has no services', async () => {
    const api = new FakeScorecardApi();
    api.rows = api.rows.filter(r => r.comparedEnvironment === 'staging');
    renderScorecard(api, '/env-parity?environment=development');

    expect(
      await screen.findByText('No service is tracked in Development'),
    ).toBeInTheDocument();
    await userEvent.selectOptions(environmentSelect(), 'staging');
    await waitFor(async () => expect(await tableCells()).toHaveLength(8));
    expect(currentLocation()).toBe('/env-parity?environment=staging');
  });
});
