import { configure, screen, within } from '@testing-library/react';
import { backstageError } from '../../__testUtils__/render';
import { FakeScorecardApi } from '../Scorecard/__testUtils__/FakeScorecardApi';
import {
  groupEntity,
  renderGroupCard,
} from '../Scorecard/__testUtils__/renderScorecard';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 10_000 });

function stat(name: string) {
  return within(screen.getByRole('group', { name }));
}

describe('GroupParityCard', () => {
  it("shows the parity of the group's services, worst first", async () => {
    const api = new FakeScorecardApi();
    renderGroupCard(api, groupEntity('payments-team'));

    const list = await screen.findByRole('list', { name: 'Lowest scores' });
    expect(stat('Services tracked').getByText('2')).toBeInTheDocument();
    expect(stat('In parity').getByText('0%')).toBeInTheDocument();
    expect(stat('Median drift age').getByText('8 days')).toBeInTheDocument();
    expect(stat('Behind production').getByText('1')).toBeInTheDocument();

    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]).getByText('Payments').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/component/payments/parity',
    );
    expect(within(items[0]).getByText('behind')).toBeInTheDocument();
    expect(within(items[0]).getByText('score 40')).toBeInTheDocument();
    expect(
      within(items[0]).getByText('differs from production for 12 days'),
    ).toBeInTheDocument();
    expect(within(items[1]).getByText('ledger')).toBeInTheDocument();

    const owner = ['group:default/payments-team'];
    expect(api.summaryCalls).toEqual([{ owner }]);
    expect(api.scorecardCalls).toEqual([
      { owner, sort: 'score', order: 'asc', page: 1, pageSize: 5 },
    ]);

    const link = screen.getByRole('link', { name: /View in the scorecard/ });
    expect(decodeURIComponent(link.getAttribute('href')!)).toBe(
      '/env-parity?owner=group:default/payments-team',
    );
  });

  it('says which environment it compares: the default one', async () => {
    renderGroupCard(new FakeScorecardApi(), groupEntity('payments-team'));
    expect(
      await screen.findByText(
        'Staging against Production, for the services this group owns',
      ),
    ).toBeInTheDocument();
  });

  it('compares the environment it is given', async () => {
    const api = new FakeScorecardApi();
    renderGroupCard(api, groupEntity('payments-team'), {
      environment: 'development',
    });

    const list = await screen.findByRole('list', { name: 'Lowest scores' });
    expect(
      screen.getByText(
        'Development against Production, for the services this group owns',
      ),
    ).toBeInTheDocument();
    const items = within(list).getAllByRole('listitem');
    // development: ledger runs another branch, payments is ahead
    expect(within(items[0]).getByText('ledger')).toBeInTheDocument();
    expect(within(items[0]).getByText('score 20')).toBeInTheDocument();
    expect(within(items[1]).getByText('score 70')).toBeInTheDocument();
    expect(stat('Behind production').getByText('0')).toBeInTheDocument();

    const owner = ['group:default/payments-team'];
    expect(api.summaryCalls).toEqual([{ owner, environment: 'development' }]);
    expect(api.scorecardCalls).toEqual([
      {
        owner,
        environment: 'development',
        sort: 'score',
        order: 'asc',
        page: 1,
        pageSize: 5,
      },
    ]);
    const link = screen.getByRole('link', { name: /View in the scorecard/ });
    expect(decodeURIComponent(link.getAttribute('href')!)).toBe(
      '/env-parity?owner=group:default/payments-team&environment=development',
    );
  });

  it("names each service's worst environment in the worst view", async () => {
    const api = new FakeScorecardApi();
    renderGroupCard(api, groupEntity('payments-team'), {
      environment: 'worst',
    });

    const list = await screen.findByRole('list', { name: 'Lowest scores' });
    expect(
      screen.getByText(
        "Each service's worst environment against Production, for the services this group owns",
      ),
    ).toBeInTheDocument();
    const items = within(list).getAllByRole('listitem');
    expect(
      within(items[0]).getByText(
        'Development: differs from production for 30 days',
      ),
    ).toBeInTheDocument();
    expect(
      within(items[1]).getByText(
        'Staging: differs from production for 12 days',
      ),
    ).toBeInTheDocument();
    expect(api.summaryCalls).toEqual([
      { owner: ['group:default/payments-team'], environment: 'worst' },
    ]);
  });

  it('says when the group owns no tracked service', async () => {
    renderGroupCard(new FakeScorecardApi(), groupEntity('design'));
    expect(
      await screen.findByText(
        /This group owns no service that Env Parity tracks/,
      ),
    ).toBeInTheDocument();
  });

  it('says when the scorecard may not be read', async () => {
    const api = new FakeScorecardApi();
    api.error = await backstageError(403, 'NotAllowedError', 'denied');
    renderGroupCard(api, groupEntity('payments-team'));
    expect(
      await screen.findByText(
        'You are not allowed to read the environment parity scorecard: this needs the permission env-parity.scorecard.read.',
      ),
    ).toBeInTheDocument();
  });
});
