import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ENTITY_REF } from '../../__testUtils__/reports';
import { exactTime } from '../EnvParityContent/format';
import { renderReplicaTab, replicaApi } from './__testUtils__';

jest.setTimeout(30_000);
// the first render of a test app takes a while
configure({ asyncUtilTimeout: 5000 });

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function ago(ms: number) {
  return new Date(Date.now() - ms).toISOString();
}

async function replicaList() {
  const region = await screen.findByRole('region', {
    name: 'Production replicas',
  });
  return within(region).findByRole('list', { name: 'Your replicas' });
}

/** The namespaces listed, in order. */
function listed(list: HTMLElement) {
  return [...list.querySelectorAll('li[data-replica]')].map(li =>
    li.getAttribute('aria-label')!.replace('Replica in ', ''),
  );
}

describe("A replica's history on the Reproduce card", () => {
  beforeEach(() => {
    // jsdom lays nothing out, so it cannot scroll to the linked section
    Element.prototype.scrollIntoView = jest.fn();
  });

  it('shows its timeline, closed at first, read when opened', async () => {
    const api = replicaApi();
    const seeded = api.replica.seed({
      entityRef: ENTITY_REF,
      reason: 'INC-4711: refund rounding',
    });
    api.replica.advance(seeded.id, 'ready');
    const extended = await api.replica.extendReplica(seeded.id, 6 * 60);
    renderReplicaTab(api);
    const item = await screen.findByRole('listitem', {
      name: `Replica in ${seeded.namespace}`,
    });
    const toggle = within(item).getByRole('button', {
      name: `Timeline of ${seeded.namespace}`,
    });
    expect(toggle).toHaveTextContent('Timeline');
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(within(item).queryByRole('list', { name: 'Timeline' })).toBeNull();
    // the list carries no timeline: nothing is read until it is opened
    expect(api.replica.callsOf('getReplica')).toHaveLength(0);

    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const timeline = await within(item).findByRole('list', {
      name: 'Timeline',
    });
    expect(api.replica.callsOf('getReplica')).toEqual([[seeded.id]]);
    const steps = within(timeline).getAllByRole('listitem');
    expect(steps.map(li => li.getAttribute('data-event'))).toEqual([
      'requested',
      'ready',
      'extended',
    ]);
    // who, what, why and when
    expect(steps[0]).toHaveAccessibleName('requested by user:default/guest');
    expect(steps[0]).toHaveTextContent('guest launched the replica');
    expect(steps[0]).toHaveTextContent('INC-4711: refund rounding');
    expect(steps[1]).toHaveTextContent(
      'System observed every pod ready on production’s digests',
    );
    expect(steps[2]).toHaveTextContent(exactTime(extended.expiresAt));
    for (const step of steps) {
      expect(step.querySelector('time[datetime]')).not.toBeNull();
    }

    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(within(item).queryByRole('list', { name: 'Timeline' })).toBeNull();
  });

  it('says when the timeline cannot be read', async () => {
    const api = replicaApi();
    const seeded = api.replica.seed({ entityRef: ENTITY_REF });
    api.replica.failNext('getReplica', new Error('the backend is down'));
    renderReplicaTab(api);
    const item = await screen.findByRole('listitem', {
      name: `Replica in ${seeded.namespace}`,
    });
    await userEvent.click(
      within(item).getByRole('button', {
        name: `Timeline of ${seeded.namespace}`,
      }),
    );
    expect(
      await within(item).findByText(/Could not load the timeline/),
    ).toHaveTextContent('the backend is down');
  });

  it('lists every active and failed replica, and the three most recently ended', async () => {
    const api = replicaApi();
    const ready = api.replica.seed({ entityRef: ENTITY_REF });
    api.replica.advance(ready.id, 'ready');
    const failed = api.replica.seed({
      entityRef: ENTITY_REF,
      createdAt: ago(10 * HOUR),
    });
    api.replica.advance(failed.id, 'failed', 'image pull failure');
    // launched in one order, ended in another
    const ended = [
      { status: 'expired', created: 9, ended: 1 },
      { status: 'deleted', created: 8, ended: 7 },
      { status: 'expired', created: 7, ended: 3 },
      { status: 'deleted', created: 6, ended: 5 },
      { status: 'deleted', created: 5, ended: 2 },
    ].map(e =>
      api.replica.seed({
        entityRef: ENTITY_REF,
        status: e.status as 'expired' | 'deleted',
        createdAt: ago(e.created * HOUR),
        endedAt: ago(e.ended * HOUR),
      }),
    );
    renderReplicaTab(api);
    const list = await replicaList();
    await waitFor(() => expect(listed(list)).toHaveLength(5));
    expect(listed(list)).toEqual([
      ready.namespace,
      failed.namespace,
      ended[0].namespace,
      ended[4].namespace,
      ended[2].namespace,
    ]);
    const more = screen.getByRole('button', { name: 'Show 2 more ended' });
    expect(more).toHaveAttribute('aria-expanded', 'false');

    await userEvent.click(more);
    expect(listed(list)).toEqual([
      ready.namespace,
      failed.namespace,
      ended[0].namespace,
      ended[4].namespace,
      ended[2].namespace,
      ended[3].namespace,
      ended[1].namespace,
    ]);
    const fewer = screen.getByRole('button', { name: 'Show fewer ended' });
    expect(fewer).toHaveAttribute('aria-expanded', 'true');

    await userEvent.click(fewer);
    expect(listed(list)).toHaveLength(5);
  });

  it('offers no more where three or fewer have ended', async () => {
    const api = replicaApi();
    const ended = [1, 2, 3].map(hours =>
      api.replica.seed({
        entityRef: ENTITY_REF,
        status: 'expired',
        endedAt: ago(hours * HOUR),
      }),
    );
    renderReplicaTab(api);
    const list = await replicaList();
    await waitFor(() =>
      expect(listed(list)).toEqual(ended.map(r => r.namespace)),
    );
    expect(screen.queryByRole('button', { name: /more ended/ })).toBeNull();
  });
});
