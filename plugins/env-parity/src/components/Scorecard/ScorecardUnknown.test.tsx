import { configure, screen, waitFor, within } from '@testing-library/react';
import {
  FakeScorecardApi,
  scorecardRow,
} from './__testUtils__/FakeScorecardApi';
import { renderScorecard } from './__testUtils__/renderScorecard';
import { groupEntity, renderGroupCard } from './__testUtils__/renderScorecard';

jest.setTimeout(120_000);
configure({ asyncUtilTimeout: 10_000 });

/**
 * One team with a real drift of 29 days, and two teams whose services
 * merely lack data: unknown is not bad parity.
 */
function rows() {
  return [
    scorecardRow('orders', {
      owner: 'group:default/orders-team',
      comparedVersion: '1.3.0',
      verdict: 'behind',
      score: 40,
      driftAgeDays: 29,
    }),
    scorecardRow('mailer', {
      owner: 'group:default/quiet-team',
      referenceVersion: undefined,
      verdict: 'unknown',
      score: 0,
      unknownReason: 'reference-not-deployed',
    }),
    scorecardRow('reports', {
      owner: 'group:default/quiet-team',
      verdict: 'unknown',
      score: 0,
      unknownReason: 'provider-error',
    }),
    scorecardRow('idle', {
      owner: 'group:default/idle-team',
      verdict: 'unknown',
      score: 0,
      unknownReason: 'neither-deployed',
    }),
  ];
}

function row(table: HTMLElement, name: string) {
  return within(table)
    .getAllByRole('row')
    .find(r =>
      // the service's name, then its system
      within(r).queryAllByRole('rowheader')[0]?.textContent?.startsWith(name),
    )!;
}

describe('the scorecard with unknown verdicts', () => {
  it('shows no score for unknown, says why, and keeps it out of the share', async () => {
    renderScorecard(new FakeScorecardApi(rows()));
    const table = await screen.findByRole('table', { name: 'Services' });
    await waitFor(() =>
      expect(within(table).getAllByRole('row')).toHaveLength(5),
    );

    const scoreColumn = within(table)
      .getAllByRole('columnheader')
      .findIndex(h => h.textContent === 'Score');
    const cells = (name: string) =>
      within(row(table, name)).getAllByRole('cell');
    // the row header is a cell of its own: columns shift by one
    const scoreOf = (name: string) => cells(name)[scoreColumn - 1].textContent;

    expect(scoreOf('orders')).toBe('40');
    expect(scoreOf('mailer')).toBe('—');
    expect(
      within(row(table, 'mailer')).getByText('not deployed to Production'),
    ).toBeInTheDocument();
    expect(
      within(row(table, 'reports')).getByText('no provider could read Staging'),
    ).toBeInTheDocument();
    expect(
      within(row(table, 'idle')).getByText(
        'not deployed to Staging or Production',
      ),
    ).toBeInTheDocument();
    // no "0" score anywhere for them
    expect(scoreOf('idle')).not.toContain('0');

    const inParity = within(screen.getByRole('group', { name: 'In parity' }));
    expect(inParity.getByText('0%')).toBeInTheDocument();
    expect(
      inParity.getByText(
        '0 of 1 service with a known verdict: staging in sync with production',
      ),
    ).toBeInTheDocument();
    const unknown = within(screen.getByRole('group', { name: 'Unknown' }));
    expect(unknown.getByText('3')).toBeInTheDocument();
  });

  it('ranks the team with a real drift first, the teams without data apart', async () => {
    renderScorecard(new FakeScorecardApi(rows()));
    const rollup = await screen.findByRole('table', { name: 'Team roll-up' });
    await waitFor(() =>
      expect(within(rollup).getAllByRole('row')).toHaveLength(4),
    );
    const [, first, second, third] = within(rollup).getAllByRole('row');
    expect(first).toHaveTextContent(/^orders-team/);
    expect(within(first).getByText('40')).toBeInTheDocument();
    expect(second).toHaveTextContent(/^idle-team/);
    expect(within(second).getByText('no known verdict')).toBeInTheDocument();
    expect(third).toHaveTextContent(/^quiet-team/);
    expect(within(third).getByText('no known verdict')).toBeInTheDocument();
    const unknownColumn = within(rollup)
      .getAllByRole('columnheader')
      .findIndex(h => h.textContent === 'Unknown');
    expect(unknownColumn).toBeGreaterThan(-1);
    expect(
      within(third).getAllByRole('cell')[unknownColumn - 1],
    ).toHaveTextContent('2');
    // the scrolling table can be reached with the keyboard
    expect(
      screen.getByRole('region', { name: 'Services, scrollable' }),
    ).toHaveAttribute('tabindex', '0');
  });

  it("leaves a group's unknown services out of its lowest scores", async () => {
    const api = new FakeScorecardApi([
      ...rows(),
      scorecardRow('ledger', {
        owner: 'group:default/quiet-team',
        verdict: 'different',
        score: 50,
        driftAgeDays: 3,
      }),
    ]);
    renderGroupCard(api, groupEntity('quiet-team'));
    const list = await screen.findByRole('list', { name: 'Lowest scores' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(1);
    expect(within(items[0]).getByText('ledger')).toBeInTheDocument();
    expect(
      within(screen.getByRole('group', { name: 'Unknown' })).getByText('2'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('group', { name: 'In parity' })).getByText('0%'),
    ).toBeInTheDocument();
  });
});
