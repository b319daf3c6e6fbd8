import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { AccessEvent } from '@env-parity/plugin-env-parity-common';
import { entityRoutes } from '../../__testUtils__/render';
import { AccessTimeline } from './AccessTimeline';
import { formatDuration, formatRemaining } from './format';

const REQUEST = '00000000-0000-4000-8000-000000000001';
const at = (minutesAgo: number) =>
  new Date(Date.now() - minutesAgo * 60_000).toISOString();

const events: AccessEvent[] = [
  // given out of order: the timeline sorts oldest first
  {
    id: 3,
    requestId: REQUEST,
    type: 'granted',
    actor: 'system',
    fromStatus: 'approved',
    toStatus: 'active',
    at: at(29),
  },
  {
    id: 1,
    requestId: REQUEST,
    type: 'requested',
    actor: 'user:default/guest',
    toStatus: 'pending',
    comment: 'Refunds fail in staging, checking prod',
    details: { durationMinutes: 60, ticket: 'INC-42' },
    at: at(40),
  },
  {
    id: 2,
    requestId: REQUEST,
    type: 'approved',
    actor: 'user:default/alice',
    fromStatus: 'pending',
    toStatus: 'approved',
    comment: 'Go ahead',
    details: { approvals: 1, requiredApprovals: 1 },
    at: at(30),
  },
  {
    id: 4,
    requestId: REQUEST,
    type: 'provisioning-failed',
    actor: 'system',
    fromStatus: 'active',
    toStatus: 'provisioning-failed',
    details: { error: 'webhook answered 503', attempts: 2 },
    at: at(10),
  },
  {
    id: 5,
    requestId: REQUEST,
    type: 'revoked',
    actor: 'user:default/guest',
    fromStatus: 'provisioning-failed',
    toStatus: 'revoked',
    at: at(1),
  },
];

describe('AccessTimeline', () => {
  it('shows every event oldest first: who, when, what and the status change', async () => {
    await renderInTestApp(<AccessTimeline events={events} />, {
      mountedRoutes: entityRoutes,
    });
    const items = within(
      screen.getByRole('list', { name: 'Timeline' }),
    ).getAllByRole('listitem');
    expect(items.map(i => i.getAttribute('data-event'))).toEqual([
      'requested',
      'approved',
      'granted',
      'provisioning-failed',
      'revoked',
    ]);

    expect(items[0]).toHaveTextContent('guest requested access');
    expect(items[0]).toHaveTextContent('40 min ago');
    expect(items[0]).toHaveTextContent('for 1 hour · ticket INC-42');
    expect(items[0]).toHaveTextContent(
      'Refunds fail in staging, checking prod',
    );
    expect(within(items[0]).getByText('guest').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/user/guest',
    );

    expect(items[1]).toHaveTextContent('alice approved');
    expect(items[1]).toHaveTextContent('1 of 1 approvals');
    expect(items[1]).toHaveTextContent('Go ahead');
    expect(
      within(items[1]).getByLabelText('from pending to approved'),
    ).toHaveTextContent('pendingapproved');

    expect(items[2]).toHaveTextContent('System granted access');
    expect(
      within(items[2]).getByLabelText('from approved to active'),
    ).toBeInTheDocument();
    expect(items[3]).toHaveTextContent('attempt 2 · webhook answered 503');
    expect(items[4]).toHaveTextContent('guest revoked access');
    expect(items[4]).toHaveTextContent('1 min ago');
    // each event has its own icon
    items.forEach(i => expect(i.querySelector('svg')).not.toBeNull());
  });

  it('says when nothing happened yet', async () => {
    await renderInTestApp(<AccessTimeline events={[]} />);
    expect(screen.getByText('Nothing has happened yet.')).toBeInTheDocument();
  });
});

describe('access formatting', () => {
  it('formats the time left like a countdown', () => {
    expect(formatRemaining((2 * 3600 + 13 * 60 + 59) * 1000)).toBe('2h 13m');
    expect(formatRemaining((12 * 60 + 5) * 1000)).toBe('12m 5s');
    expect(formatRemaining(42_400)).toBe('42s');
    expect(formatRemaining((3 * 86400 + 4 * 3600) * 1000)).toBe('3d 4h');
    expect(formatRemaining(-5000)).toBe('0s');
  });

  it('formats durations', () => {
    expect(formatDuration(1)).toBe('1 minute');
    expect(formatDuration(30)).toBe('30 minutes');
    expect(formatDuration(60)).toBe('1 hour');
    expect(formatDuration(90)).toBe('1h 30m');
    expect(formatDuration(480)).toBe('8 hours');
    expect(formatDuration(2880)).toBe('2 days');
  });
});
