import {
  act,
  configure,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accessError } from '../Access/__testUtils__';
import { ENTITY_REF, STAGING_ARTIFACT } from '../../__testUtils__/reports';
import { readyParts, renderReplicaTab, replicaApi } from './__testUtils__';
import { REPLICA_POLL_MS } from './useServiceReplicas';

jest.setTimeout(30_000);
// the first render of a test app takes a while
configure({ asyncUtilTimeout: 5000 });

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LAUNCH = 'Launch a production replica';
const DIALOG = 'Launch a production replica';

async function panel() {
  return screen.findByRole('region', { name: 'Production replicas' });
}

async function openDialog() {
  const region = await panel();
  const button = await within(region).findByRole('button', { name: LAUNCH });
  await waitFor(() => expect(button).toBeEnabled());
  await userEvent.click(button);
  return screen.findByRole('dialog', { name: DIALOG });
}

describe('Production replicas on the Reproduce card', () => {
  beforeEach(() => {
    // jsdom lays nothing out, so it cannot scroll to the linked section
    Element.prototype.scrollIntoView = jest.fn();
  });

  it('offers a launch, with the caps, and says when there are none yet', async () => {
    const api = renderReplicaTab();
    const region = await panel();
    expect(
      await within(region).findByText('You have no replicas of payments.'),
    ).toBeInTheDocument();
    expect(region).toHaveTextContent(
      'in the sandbox cluster, for 4 hours by default (at most 8 hours). You have 0 of 2 active.',
    );
    expect(api.replica.callsOf('listReplicas')[0]).toEqual([ENTITY_REF]);
  });

  it('offers nothing, and lists nothing, where replicas are not enabled', async () => {
    const api = replicaApi();
    api.replica.settings.enabled = false;
    renderReplicaTab(api);
    expect(await screen.findByText('Reproduce production')).toBeInTheDocument();
    await waitFor(() =>
      expect(api.replica.callsOf('getReplicaSettings')).toHaveLength(1),
    );
    expect(
      screen.queryByRole('region', { name: 'Production replicas' }),
    ).toBeNull();
    expect(screen.queryByRole('button', { name: LAUNCH })).toBeNull();
    expect(api.replica.callsOf('listReplicas')).toHaveLength(0);
  });

  it('requires a reason and, for a change, an image; launches with the pick', async () => {
    const api = renderReplicaTab();
    const dialog = await openDialog();
    const submit = within(dialog).getByRole('button', {
      name: 'Launch replica',
    });
    // the lifetime: the default, capped at the maximum
    const lifetime = within(dialog).getByRole('combobox', { name: 'Lifetime' });
    expect(lifetime).toHaveDisplayValue('4 hours (default)');
    expect(
      within(lifetime)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual([
      '30 minutes',
      '1 hour',
      '2 hours',
      '4 hours (default)',
      '8 hours',
    ]);

    await userEvent.click(submit);
    const reason = within(dialog).getByRole('textbox', { name: /Reason/ });
    expect(
      await within(dialog).findByText(
        'Say why you need a replica of Production',
      ),
    ).toBeInTheDocument();
    expect(reason).toHaveAttribute('aria-invalid', 'true');

    await userEvent.type(reason, 'Reproduce the refund bug');
    await userEvent.click(
      within(dialog).getByRole('checkbox', {
        name: 'Production plus my change',
      }),
    );
    expect(
      within(dialog).getByRole('combobox', { name: /Workload/ }),
    ).toHaveDisplayValue(
      'payments (Deployment, runs ghcr.io/acme/payments:1.4.2)',
    );
    await userEvent.click(submit);
    expect(
      await within(dialog).findByText(
        'Enter a tag or digest, or pick a deployment',
      ),
    ).toBeInTheDocument();
    expect(api.replica.callsOf('launchReplica')).toHaveLength(0);

    // one of the service's non-production deployments fills the image in
    await userEvent.selectOptions(
      within(dialog).getByRole('combobox', {
        name: 'Pick a non-production deployment',
      }),
      STAGING_ARTIFACT,
    );
    expect(
      within(dialog).getByRole('textbox', { name: /Image tag or digest/ }),
    ).toHaveValue(STAGING_ARTIFACT);
    await userEvent.selectOptions(lifetime, '2 hours');
    await userEvent.click(submit);

    await waitFor(() =>
      expect(screen.queryByRole('dialog', { name: DIALOG })).toBeNull(),
    );
    expect(api.replica.callsOf('launchReplica')).toEqual([
      [
        {
          entityRef: ENTITY_REF,
          reason: 'Reproduce the refund bug',
          lifetimeMinutes: 120,
          override: { workload: 'payments', image: STAGING_ARTIFACT },
        },
      ],
    ]);
    const [launched] = api.replica.replicas.values();
    expect(
      await screen.findByText(
        `Launching a replica of payments in ${launched.namespace}: it is ready once every pod runs Production's digests.`,
      ),
    ).toBeInTheDocument();
    const item = await screen.findByRole('listitem', {
      name: `Replica in ${launched.namespace}`,
    });
    expect(within(item).getByText('creating')).toBeInTheDocument();
    expect(item).toHaveTextContent(
      `Production plus a change: payments runs ${STAGING_ARTIFACT}`,
    );
  });

  it('shows the cap reached, keeping what was typed', async () => {
    const api = replicaApi();
    api.replica.seed({ entityRef: ENTITY_REF });
    api.replica.seed({ entityRef: ENTITY_REF });
    renderReplicaTab(api);
    const dialog = await openDialog();
    const reason = within(dialog).getByRole('textbox', { name: /Reason/ });
    await userEvent.type(reason, 'Reproduce the refund bug');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Launch replica' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Cannot launch another replica: You already have 2 active replicas, the most allowed per user (envParity.replicas.perUserLimit); delete one first',
    );
    expect(reason).toHaveValue('Reproduce the refund bug');
    expect(api.replica.callsOf('launchReplica')).toHaveLength(1);
  });

  it("shows the backend's refusal of an input at its field", async () => {
    const api = replicaApi();
    api.replica.failNext(
      'launchReplica',
      await accessError(
        400,
        'InputError',
        'override.image ghcr.io/other/app:1 is not of the repository production runs',
      ),
    );
    renderReplicaTab(api);
    const dialog = await openDialog();
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Reason/ }),
      'Try my build',
    );
    await userEvent.click(
      within(dialog).getByRole('checkbox', {
        name: 'Production plus my change',
      }),
    );
    const image = within(dialog).getByRole('textbox', {
      name: /Image tag or digest/,
    });
    await userEvent.type(image, 'ghcr.io/other/app:1');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Launch replica' }),
    );
    expect(
      await within(dialog).findByText(
        'override.image ghcr.io/other/app:1 is not of the repository production runs',
      ),
    ).toBeInTheDocument();
    expect(image).toHaveAttribute('aria-invalid', 'true');
    expect(image).toHaveValue('ghcr.io/other/app:1');
  });

  it('polls while one is creating, shows it ready with how to reach it, then stops', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const api = replicaApi();
      const seeded = api.replica.seed({
        entityRef: ENTITY_REF,
        expiresAt: new Date(Date.now() + 3.5 * HOUR).toISOString(),
      });
      renderReplicaTab(api);
      const item = await screen.findByRole('listitem', {
        name: `Replica in ${seeded.namespace}`,
      });
      expect(within(item).getByText('creating')).toBeInTheDocument();
      expect(
        within(item).getByRole('progressbar', {
          name: `Creating ${seeded.namespace}`,
        }),
      ).toBeInTheDocument();

      api.replica.advance(seeded.id, 'ready');
      await act(async () => {
        jest.advanceTimersByTime(REPLICA_POLL_MS);
      });
      await waitFor(() =>
        expect(within(item).getByText('ready')).toBeInTheDocument(),
      );
      expect(
        within(item).getByLabelText('Port-forward payments port 8080'),
      ).toHaveTextContent(readyParts.endpoints[0].command);
      expect(
        within(item).getByRole('button', {
          name: 'Copy: Port-forward payments port 8080',
        }),
      ).toBeInTheDocument();
      expect(item).toHaveTextContent(
        'Read access in the namespace: RoleBinding env-parity-guest (view)',
      );
      const config = within(item).getByRole('table', {
        name: 'Configuration: what was copied from where',
      });
      expect(
        within(config)
          .getAllByRole('row')
          .slice(1)
          .map(r =>
            within(r)
              .getAllByRole('cell')
              .map(c => c.textContent),
          ),
      ).toEqual([
        [
          'LOG_LEVEL',
          'ConfigMap payments-config',
          "Production's value (not a secret)",
        ],
        [
          'PAYMENTS_PROVIDER_URL',
          'ConfigMap payments-config',
          'envParity.replicas.override',
        ],
        ['DB_PASSWORD', 'Secret payments-secrets', 'to provide: created empty'],
      ]);
      expect(within(item).getByTestId('replica-expiry')).toHaveTextContent(
        /^expires in 3 h \(.+\)$/,
      );

      // nothing creating: no more polls
      const lists = api.replica.callsOf('listReplicas').length;
      await act(async () => {
        jest.advanceTimersByTime(REPLICA_POLL_MS * 3);
      });
      expect(api.replica.callsOf('listReplicas')).toHaveLength(lists);
    } finally {
      jest.useRealTimers();
    }
  });

  it('says why a replica failed', async () => {
    const api = replicaApi();
    const seeded = api.replica.seed({ entityRef: ENTITY_REF });
    api.replica.advance(
      seeded.id,
      'failed',
      'exceeded quota: requests.memory=8Gi',
    );
    renderReplicaTab(api);
    const item = await screen.findByRole('listitem', {
      name: `Replica in ${seeded.namespace}`,
    });
    expect(within(item).getByText('failed')).toBeInTheDocument();
    expect(item).toHaveTextContent(
      'Failed: exceeded quota: requests.memory=8Gi',
    );
    // nothing to extend; it can still be deleted
    expect(within(item).queryByRole('button', { name: /^Extend/ })).toBeNull();
    expect(within(item).getByRole('button', { name: /^Delete/ })).toBeEnabled();
  });

  it('deletes only once confirmed', async () => {
    const api = replicaApi();
    const seeded = api.replica.seed({ entityRef: ENTITY_REF });
    api.replica.advance(seeded.id, 'ready');
    renderReplicaTab(api);
    const item = await screen.findByRole('listitem', {
      name: `Replica in ${seeded.namespace}`,
    });
    const remove = within(item).getByRole('button', {
      name: `Delete ${seeded.namespace}`,
    });

    await userEvent.click(remove);
    let dialog = await screen.findByRole('dialog', {
      name: 'Delete the replica?',
    });
    expect(dialog).toHaveTextContent(
      `The namespace ${seeded.namespace} in the sandbox cluster is removed with everything in it.`,
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Keep it' }),
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('dialog', { name: 'Delete the replica?' }),
      ).toBeNull(),
    );
    expect(api.replica.callsOf('deleteReplica')).toHaveLength(0);

    await userEvent.click(remove);
    dialog = await screen.findByRole('dialog', { name: 'Delete the replica?' });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete' }),
    );
    expect(
      await screen.findByText(`Deleted ${seeded.namespace}.`),
    ).toBeInTheDocument();
    expect(api.replica.callsOf('deleteReplica')).toEqual([[seeded.id]]);
    await waitFor(() => expect(item).toHaveAttribute('data-status', 'deleted'));
    expect(within(item).getByText('deleted')).toBeInTheDocument();
    expect(within(item).queryByRole('button', { name: /^Delete/ })).toBeNull();
  });

  it('extends up to the maximum', async () => {
    const api = replicaApi();
    // launched an hour ago (half a minute to spare), an hour left
    const seeded = api.replica.seed({
      entityRef: ENTITY_REF,
      createdAt: new Date(Date.now() - HOUR + MINUTE / 2).toISOString(),
      expiresAt: new Date(Date.now() + HOUR).toISOString(),
    });
    api.replica.advance(seeded.id, 'ready');
    renderReplicaTab(api);
    const item = await screen.findByRole('listitem', {
      name: `Replica in ${seeded.namespace}`,
    });
    await userEvent.click(
      within(item).getByRole('button', { name: `Extend ${seeded.namespace}` }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Extend the replica',
    });
    const lifetime = within(dialog).getByRole('combobox', {
      name: 'Keep it for another',
    });
    // longer than the hour left, up to 8 hours from its launch
    expect(
      within(lifetime)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['2 hours', '4 hours', '7 hours (the maximum)']);
    await userEvent.selectOptions(lifetime, '7 hours (the maximum)');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Extend' }),
    );
    expect(
      await screen.findByText(new RegExp(`^${seeded.namespace} now expires `)),
    ).toBeInTheDocument();
    expect(api.replica.callsOf('extendReplica')).toEqual([[seeded.id, 420]]);
  });

  it('cannot be extended past its maximum lifetime', async () => {
    const api = replicaApi();
    const seeded = api.replica.seed({
      entityRef: ENTITY_REF,
      createdAt: new Date(Date.now() - 6 * HOUR).toISOString(),
      expiresAt: new Date(Date.now() + 2 * HOUR).toISOString(),
    });
    api.replica.advance(seeded.id, 'ready');
    renderReplicaTab(api);
    const item = await screen.findByRole('listitem', {
      name: `Replica in ${seeded.namespace}`,
    });
    expect(
      within(item).getByRole('button', { name: `Extend ${seeded.namespace}` }),
    ).toBeDisabled();
    expect(item).toHaveTextContent('It lives as long as it may.');
  });
});
