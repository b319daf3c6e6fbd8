import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { FakeEnvParityApi } from '../../__testUtils__/render';
import { driftReport, paymentsEntity } from '../../__testUtils__/reports';
import { EnvParityContent } from '../EnvParityContent';
import { exactTime } from '../EnvParityContent/format';
import { accessApi, accessError, renderAccess } from './__testUtils__';

jest.setTimeout(30_000);
// the first render of a test app takes a while
configure({ asyncUtilTimeout: 5000 });

const ENTITY = 'component:default/payments';
const MINUTE = 60_000;

function renderTab(
  api = accessApi(),
  options: { denied?: string[]; route?: string; withPage?: boolean } = {},
) {
  renderAccess(
    <EntityProvider entity={paymentsEntity}>
      <EnvParityContent />
    </EntityProvider>,
    {
      api,
      denied: options.denied,
      withPage: options.withPage,
      mountPath: '/catalog/:namespace/:kind/:name/parity',
      initialRouteEntries: [
        options.route ?? '/catalog/default/component/payments/parity',
      ],
    },
  );
  return api;
}

async function openDialog() {
  await userEvent.click(
    await screen.findByRole('button', { name: 'Request read-only access' }),
  );
  return screen.findByRole('dialog', { name: 'Request read-only access' });
}

describe('AccessRequestCard', () => {
  it('offers to request access, and only with the create permission', async () => {
    const api = renderTab();
    expect(
      await screen.findByRole('button', { name: 'Request read-only access' }),
    ).toBeInTheDocument();
    expect(api.access.callsOf('listAccessRequests')[0]).toEqual([
      {
        mine: true,
        entityRef: ENTITY,
        status: ['pending', 'approved', 'active', 'provisioning-failed'],
      },
    ]);
  });

  it('asks for environment, duration, reason and ticket with the rules from settings', async () => {
    const api = accessApi();
    api.access.settings = {
      ...api.access.settings,
      maxDurationMinutes: 240,
      minReasonLength: 20,
      ticketPattern: 'INC-\\d+',
      ticketRequired: true,
    };
    renderTab(api);
    const dialog = await openDialog();

    const environment = await within(dialog).findByRole('combobox', {
      name: 'Environment',
    });
    expect(environment).toHaveValue('production');
    expect(
      within(environment)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['Staging', 'Production']);
    const duration = within(dialog).getByRole('combobox', { name: 'Duration' });
    expect(duration).toHaveValue('60');
    expect(
      within(duration)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['15 minutes', '30 minutes', '1 hour', '2 hours', '4 hours']);
    expect(
      within(dialog).getByText('At least 20 characters; the approvers see it.'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        'Incident or change reference, matching INC-\\d+',
      ),
    ).toBeInTheDocument();
    // break-glass is not enabled
    expect(within(dialog).queryByRole('checkbox')).not.toBeInTheDocument();

    // the form checks what it can before asking the backend
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Reason/ }),
      'too short',
    );
    expect(within(dialog).getByLabelText('Reason length')).toHaveTextContent(
      '9/2000',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Request access' }),
    );
    expect(
      within(dialog).getByText(
        'Say why you need access, in at least 20 characters',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('A ticket is required'),
    ).toBeInTheDocument();
    expect(api.access.callsOf('createAccessRequest')).toEqual([]);
  });

  it('offers access only to environments the service is deployed to', async () => {
    const api = new FakeEnvParityApi(async () => {
      const report = driftReport();
      delete report.environments.find(e => e.name === 'production')!.deployment;
      return report;
    });
    renderTab(api);
    expect(
      await screen.findByText(
        /^payments has no Production deployment; you can ask for temporary read-only access to Staging\./,
      ),
    ).toBeInTheDocument();
    const dialog = await openDialog();
    const environment = await within(dialog).findByRole('combobox', {
      name: 'Environment',
    });
    expect(
      within(environment)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['Staging']);
    expect(environment).toHaveValue('staging');
  });

  it('offers nothing when the service is deployed nowhere', async () => {
    const api = new FakeEnvParityApi(async () => {
      const report = driftReport();
      report.environments.forEach(e => delete e.deployment);
      return report;
    });
    renderTab(api);
    await waitFor(() =>
      expect(api.access.callsOf('listAccessRequests')).toHaveLength(1),
    );
    await screen.findByText('Parity with Production');
    expect(
      screen.queryByRole('button', { name: 'Request read-only access' }),
    ).not.toBeInTheDocument();
  });

  it("shows the server's refusal next to its field and keeps the input", async () => {
    const api = accessApi();
    renderTab(api);
    const dialog = await openDialog();
    api.access.failNext(
      'createAccessRequest',
      await accessError(
        400,
        'InputError',
        'ticket "CHG 7" does not match the required pattern (INC|CHG)-\\d+',
      ),
    );

    const reason = await within(dialog).findByRole('textbox', {
      name: /Reason/,
    });
    await userEvent.type(reason, 'Refunds fail in staging, checking prod');
    const ticket = within(dialog).getByRole('textbox', {
      name: 'Ticket (optional)',
    });
    await userEvent.type(ticket, 'CHG 7');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Request access' }),
    );

    expect(
      await within(dialog).findByText(
        'ticket "CHG 7" does not match the required pattern (INC|CHG)-\\d+',
      ),
    ).toBeInTheDocument();
    expect(ticket).toHaveAttribute('aria-invalid', 'true');
    expect(reason).toHaveValue('Refunds fail in staging, checking prod');
    expect(ticket).toHaveValue('CHG 7');
    expect(screen.getByRole('dialog')).toBeInTheDocument();

    // a refusal that belongs to no field is shown above the form
    api.access.failNext(
      'createAccessRequest',
      await accessError(
        400,
        'InputError',
        'component:default/payments has no owner, so nobody could approve access to it',
      ),
    );
    await userEvent.clear(ticket);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Request access' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'component:default/payments has no owner, so nobody could approve access to it',
    );
    expect(reason).toHaveValue('Refunds fail in staging, checking prod');
  });

  it('moves the focus into the dialog, then onto what the request became', async () => {
    renderTab();
    const dialog = await openDialog();
    // the first field, not the dialog's container or the page
    await waitFor(() =>
      expect(
        within(dialog).getByRole('combobox', { name: 'Environment' }),
      ).toHaveFocus(),
    );
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Reason/ }),
      'Refunds fail in staging, checking prod',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Request access' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    // the button that opened the dialog is gone: the notice takes the focus
    const notice = await screen.findByText(/^Requested read-only access/);
    await waitFor(() => expect(notice.closest('[role="alert"]')).toHaveFocus());
  });

  it('creates the request and shows it pending, with the review countdown', async () => {
    const api = renderTab();
    const dialog = await openDialog();
    await userEvent.selectOptions(
      await within(dialog).findByRole('combobox', { name: 'Duration' }),
      '2 hours',
    );
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Reason/ }),
      '  Refunds fail in staging, checking prod  ',
    );
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Ticket (optional)' }),
      'INC-42',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Request access' }),
    );

    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.access.callsOf('createAccessRequest')).toEqual([
      [
        {
          entityRef: ENTITY,
          environment: 'production',
          reason: 'Refunds fail in staging, checking prod',
          durationMinutes: 120,
          ticket: 'INC-42',
        },
      ],
    ]);
    const region = await screen.findByRole('region', {
      name: 'Production access request',
    });
    expect(within(region).getByText('pending')).toBeInTheDocument();
    expect(within(region).getByRole('timer')).toHaveTextContent(
      /^awaiting approval, times out in (23h 59m|1d 0h)$/,
    );
    expect(
      within(region).getByText(/2 hours of read-only access, waiting for sre/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Requested read-only access to payments in Production. Members of sre have been notified.',
      ),
    ).toBeInTheDocument();
    expect(
      within(region).getByRole('button', { name: 'Withdraw' }),
    ).toBeInTheDocument();
    expect(
      within(region).getByRole('link', { name: 'View request and timeline' }),
    ).toHaveAttribute(
      'href',
      `/env-parity/access/${[...api.access.requests.keys()][0]}`,
    );
    expect(
      screen.queryByRole('button', { name: 'Request read-only access' }),
    ).not.toBeInTheDocument();
  });

  it('shows an active grant counting down, how to use it, and revokes it', async () => {
    const api = accessApi();
    const now = Date.now();
    const expiresAt = new Date(
      now + (2 * 60 + 13) * MINUTE + 30_000,
    ).toISOString();
    api.access.seed({
      entityRef: ENTITY,
      status: 'active',
      activatedAt: new Date(now - 47 * MINUTE).toISOString(),
      expiresAt,
      instructions: 'kubectl --context prod -n payments get pods',
    });
    renderTab(api);

    const region = await screen.findByRole('region', {
      name: 'Production access request',
    });
    expect(within(region).getByText('active')).toBeInTheDocument();
    expect(within(region).getByRole('timer')).toHaveTextContent(
      'expires in 2h 13m',
    );
    expect(
      within(region).getByRole('region', { name: 'How to use this access' }),
    ).toHaveTextContent('kubectl --context prod -n payments get pods');
    // the end in the user's locale, not as ISO with milliseconds
    const howTo = within(region).getByRole('region', {
      name: 'How to use this access',
    });
    expect(howTo).toHaveTextContent(`Read-only until ${exactTime(expiresAt)}.`);
    expect(howTo).not.toHaveTextContent(expiresAt);
    expect(
      within(howTo).getByRole('button', { name: 'Copy the command' }),
    ).toBeInTheDocument();
    expect(
      within(region).queryByRole('button', { name: 'Withdraw' }),
    ).not.toBeInTheDocument();

    await userEvent.click(
      within(region).getByRole('button', { name: 'Revoke' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Revoke access' });
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Comment (optional)' }),
      'Found it',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Revoke' }),
    );

    expect(
      await screen.findByText(
        'Your read-only access to payments in production is now revoked.',
      ),
    ).toBeInTheDocument();
    expect(api.access.callsOf('decideAccessRequest')).toEqual([
      [expect.any(String), 'revoke', 'Found it'],
    ]);
    expect(
      await screen.findByRole('button', { name: 'Request read-only access' }),
    ).toBeInTheDocument();
  });

  it('counts down live', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const api = accessApi();
      api.access.seed({
        entityRef: ENTITY,
        status: 'active',
        expiresAt: new Date(Date.now() + 65_500).toISOString(),
      });
      renderTab(api);
      const timer = await screen.findByRole('timer');
      expect(timer).toHaveTextContent('expires in 1m 5s');
      jest.advanceTimersByTime(3000);
      await waitFor(() => expect(timer).toHaveTextContent('expires in 1m 2s'));
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports a conflict when someone else decided first, and reloads', async () => {
    const api = accessApi();
    const seeded = api.access.seed({ entityRef: ENTITY });
    renderTab(api);
    const region = await screen.findByRole('region', {
      name: 'Production access request',
    });
    await userEvent.click(
      within(region).getByRole('button', { name: 'Withdraw' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Withdraw request',
    });

    // meanwhile an approver denied it
    const stored = api.access.requests.get(seeded.id)!;
    stored.status = 'denied';
    api.access.failNext(
      'decideAccessRequest',
      await accessError(
        409,
        'ConflictError',
        `Access request ${seeded.id} is denied, which is final; it cannot become withdrawn`,
      ),
    );
    const lists = api.access.callsOf('listAccessRequests').length;
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Withdraw' }),
    );

    expect(
      await screen.findByText(
        `Access request ${seeded.id} is denied, which is final; it cannot become withdrawn`,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() =>
      expect(api.access.callsOf('listAccessRequests').length).toBe(lists + 1),
    );
    // denied is not current: the card offers a new request
    expect(
      await screen.findByRole('button', { name: 'Request read-only access' }),
    ).toBeInTheDocument();
  });

  it('opens the request named by ?accessRequest= with its timeline', async () => {
    const api = accessApi();
    const seeded = api.access.seed({
      entityRef: ENTITY,
      status: 'denied',
      resolvedAt: new Date().toISOString(),
    });
    api.access.requests.get(seeded.id)!.events.push({
      id: 99,
      requestId: seeded.id,
      type: 'denied',
      actor: 'user:default/alice',
      fromStatus: 'pending',
      toStatus: 'denied',
      comment: 'Use the staging replica',
      at: new Date().toISOString(),
    });
    renderTab(api, {
      route: `/catalog/default/component/payments/parity?accessRequest=${seeded.id}`,
    });

    const dialog = await screen.findByRole('dialog', {
      name: 'Access request',
    });
    const timeline = await within(dialog).findByRole('list', {
      name: 'Timeline',
    });
    const events = within(timeline).getAllByRole('listitem');
    expect(events.map(e => e.getAttribute('data-event'))).toEqual([
      'requested',
      'denied',
    ]);
    expect(events[1]).toHaveTextContent('alice denied');
    expect(events[1]).toHaveTextContent('Use the staging replica');
    expect(
      within(events[1]).getByLabelText('from pending to denied'),
    ).toBeInTheDocument();

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('opens the request in a dialog when the app has no access page', async () => {
    const api = accessApi();
    api.access.seed({ entityRef: ENTITY });
    renderTab(api, { withPage: false });
    const region = await screen.findByRole('region', {
      name: 'Production access request',
    });
    await userEvent.click(
      within(region).getByRole('button', { name: 'View request and timeline' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Access request',
    });
    expect(
      await within(dialog).findByRole('list', { name: 'Timeline' }),
    ).toBeInTheDocument();
    expect(
      within(dialog).queryByRole('link', { name: 'Open the request page' }),
    ).not.toBeInTheDocument();
  });
});
