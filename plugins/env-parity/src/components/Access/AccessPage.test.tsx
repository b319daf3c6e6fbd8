import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { rowsOf } from '../../__testUtils__/queue';
import { AccessPage } from './AccessPage';
import { accessApi, accessError, renderAccess } from './__testUtils__';

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5000 });

const MINUTE = 60_000;

/** Alice, an SRE who approves production access. */
function asReviewer() {
  const api = accessApi();
  api.access.user = 'user:default/alice';
  api.access.canReview = true;
  return api;
}

function renderPage(api = asReviewer(), path = '/env-parity/access') {
  renderAccess(<AccessPage />, {
    api,
    mountPath: '/env-parity/access/*',
    initialRouteEntries: [path],
  });
  return api;
}

describe('AccessPage', () => {
  it('explains each empty list', async () => {
    renderPage();
    expect(
      await screen.findByText('Nothing is waiting for you'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Requests for access to environments your teams own/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'Waiting for my review (0)' }),
    ).toHaveAttribute('aria-selected', 'true');

    await userEvent.click(screen.getByRole('tab', { name: /^My requests/ }));
    expect(
      await screen.findByText('You have not asked for access'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/open the Parity tab of the service/),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: /^Active grants/ }));
    expect(
      await screen.findByText('No access is active now'),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: 'History' }));
    expect(
      await screen.findByText('No finished requests yet'),
    ).toBeInTheDocument();
  });

  it('lists requests by what they need from me', async () => {
    const api = asReviewer();
    const now = Date.now();
    api.access.seed({
      entityRef: 'component:default/payments',
      requester: 'user:default/guest',
      reason: 'Refunds fail in staging, checking prod',
    });
    api.access.seed({
      entityRef: 'component:default/checkout',
      requester: 'user:default/bob',
      status: 'active',
      activatedAt: new Date(now - 10 * MINUTE).toISOString(),
      expiresAt: new Date(now + 50 * MINUTE).toISOString(),
    });
    api.access.seed({
      entityRef: 'component:default/ledger',
      requester: 'user:default/alice',
      status: 'expired',
      resolvedAt: new Date(now - 60 * MINUTE).toISOString(),
    });
    renderPage(api);

    const review = await screen.findByRole('tabpanel', {
      name: 'Waiting for my review',
    });
    await waitFor(() => expect(rowsOf(review)).toHaveLength(1));
    const [row] = rowsOf(review);
    expect(within(row).getByText('payments')).toBeInTheDocument();
    expect(within(row).getByText('production')).toBeInTheDocument();
    expect(within(row).getByText('guest')).toBeInTheDocument();
    expect(within(row).getByText('pending')).toBeInTheDocument();
    expect(
      within(row).getByText('Refunds fail in staging, checking prod'),
    ).toBeInTheDocument();
    expect(within(row).getByRole('timer')).toHaveTextContent(
      /^review closes in (23h 59m|1d 0h)$/,
    );
    expect(
      screen.getByRole('tab', { name: 'Active grants (1)' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'My requests (1)' }),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: /^Active grants/ }));
    const active = await screen.findByRole('tabpanel', {
      name: 'Active grants',
    });
    await waitFor(() => expect(rowsOf(active)).toHaveLength(1));
    expect(within(rowsOf(active)[0]).getByText('checkout')).toBeInTheDocument();
    expect(within(rowsOf(active)[0]).getByRole('timer')).toHaveTextContent(
      /^access ends in 4[89]m \d+s$/,
    );

    await userEvent.click(screen.getByRole('tab', { name: 'History' }));
    const history = await screen.findByRole('tabpanel', { name: 'History' });
    await waitFor(() => expect(rowsOf(history)).toHaveLength(1));
    expect(
      within(rowsOf(history)[0]).getByText('ended 1 h ago'),
    ).toBeInTheDocument();
    expect(api.access.callsOf('listAccessRequests').map(([f]) => f)).toEqual(
      expect.arrayContaining([
        { reviewable: true, limit: 200 },
        { mine: true, limit: 200 },
        { status: ['active', 'provisioning-failed'], limit: 200 },
        {
          status: ['expired', 'revoked', 'denied', 'withdrawn', 'timed-out'],
          limit: 200,
        },
      ]),
    );
  });

  it('approves with a comment, and the grant becomes active', async () => {
    const api = asReviewer();
    const seeded = api.access.seed({
      entityRef: 'component:default/payments',
      requester: 'user:default/guest',
      ticket: 'INC-42',
    });
    renderPage(api);
    const review = await screen.findByRole('tabpanel', {
      name: 'Waiting for my review',
    });
    await waitFor(() => expect(rowsOf(review)).toHaveLength(1));
    await userEvent.click(
      within(rowsOf(review)[0]).getByRole('button', { name: 'Approve' }),
    );

    const dialog = await screen.findByRole('dialog', {
      name: 'Approve access',
    });
    expect(dialog).toHaveTextContent(
      'guest gets 1 hour of read-only access to payments in production once approved.',
    );
    // what the approver decides on
    expect(within(dialog).getByLabelText('Reason')).toHaveTextContent(
      'Checking whether refunds fail there too',
    );
    expect(within(dialog).getByLabelText('Ticket')).toHaveTextContent('INC-42');
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Comment (optional)' }),
      'Go ahead, INC-42',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );

    expect(
      await screen.findByText(
        "guest's read-only access to payments in production is now active.",
      ),
    ).toBeInTheDocument();
    expect(api.access.callsOf('decideAccessRequest')).toEqual([
      [seeded.id, 'approve', 'Go ahead, INC-42'],
    ]);
    expect(
      await screen.findByText('Nothing is waiting for you'),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('tab', { name: 'Active grants (1)' }),
    ).toBeInTheDocument();
  });

  it('needs a comment to deny, and keeps it when the server refuses it', async () => {
    const api = asReviewer();
    api.access.seed({
      entityRef: 'component:default/payments',
      requester: 'user:default/guest',
    });
    renderPage(api);
    const review = await screen.findByRole('tabpanel', {
      name: 'Waiting for my review',
    });
    await waitFor(() => expect(rowsOf(review)).toHaveLength(1));
    await userEvent.click(
      within(rowsOf(review)[0]).getByRole('button', { name: 'Deny' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Deny access' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Deny' }));
    expect(
      within(dialog).getByText('A comment is required'),
    ).toBeInTheDocument();
    expect(api.access.callsOf('decideAccessRequest')).toEqual([]);

    const comment = within(dialog).getByRole('textbox', {
      name: /Why is it denied/,
    });
    await userEvent.type(comment, 'x'.repeat(20));
    api.access.failNext(
      'decideAccessRequest',
      await accessError(
        400,
        'InputError',
        'comment must be at most 10 characters',
      ),
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Deny' }));
    expect(
      await within(dialog).findByText('comment must be at most 10 characters'),
    ).toBeInTheDocument();
    expect(comment).toHaveValue('x'.repeat(20));
  });

  it('says when someone else decided first, and reloads', async () => {
    const api = asReviewer();
    const seeded = api.access.seed({
      entityRef: 'component:default/payments',
      requester: 'user:default/guest',
    });
    renderPage(api);
    const review = await screen.findByRole('tabpanel', {
      name: 'Waiting for my review',
    });
    await waitFor(() => expect(rowsOf(review)).toHaveLength(1));
    await userEvent.click(
      within(rowsOf(review)[0]).getByRole('button', { name: 'Approve' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Approve access',
    });

    // another SRE denies it meanwhile
    api.access.requests.get(seeded.id)!.status = 'denied';
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );

    expect(
      await screen.findByText(
        `Someone else decided first: Access request ${seeded.id} is denied, which is final; it cannot be approved. The lists have been reloaded.`,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(
      await screen.findByText('Nothing is waiting for you'),
    ).toBeInTheDocument();
  });

  it('opens a request from the keyboard, and its sortable headers hold no other control', async () => {
    const api = asReviewer();
    api.access.seed({
      entityRef: 'component:default/payments',
      requester: 'user:default/guest',
    });
    renderPage(api);
    const review = await screen.findByRole('tabpanel', {
      name: 'Waiting for my review',
    });
    await waitFor(() => expect(rowsOf(review)).toHaveLength(1));
    // no drag handle (focusable) inside a sort button (nested-interactive)
    const sortButtons = within(review)
      .getAllByRole('columnheader')
      .flatMap(header => within(header).queryAllByRole('button'));
    expect(sortButtons.length).toBeGreaterThan(0);
    for (const button of sortButtons) {
      expect(button.querySelector('[tabindex]')).toBeNull();
    }

    const open = within(rowsOf(review)[0]).getByRole('link', {
      name: /^Open the request created/,
    });
    open.focus();
    await userEvent.keyboard('{Enter}');
    expect(
      await screen.findByRole('list', { name: 'Timeline' }),
    ).toBeInTheDocument();
  });

  it('opens a request on its own page with the timeline and its actions', async () => {
    const api = asReviewer();
    const seeded = api.access.seed({
      entityRef: 'component:default/payments',
      requester: 'user:default/guest',
      ticket: 'INC-42',
    });
    renderPage(api);
    const review = await screen.findByRole('tabpanel', {
      name: 'Waiting for my review',
    });
    await waitFor(() => expect(rowsOf(review)).toHaveLength(1));
    await userEvent.click(within(rowsOf(review)[0]).getByText('production'));

    const timeline = await screen.findByRole('list', { name: 'Timeline' });
    expect(within(timeline).getAllByRole('listitem')).toHaveLength(1);
    expect(within(timeline).getByRole('listitem')).toHaveTextContent(
      'guest requested access',
    );
    const facts = screen.getByLabelText('Request');
    expect(within(facts).getByText('INC-42')).toBeInTheDocument();
    expect(within(facts).getByText('1 hour')).toBeInTheDocument();
    expect(within(facts).getByText('sre')).toBeInTheDocument();
    expect(screen.getByText('Approvals (0 of 1)')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /All access requests/ }),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Approve access',
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );

    expect(
      await screen.findByText(
        "guest's read-only access to payments in production is now active.",
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        within(screen.getByRole('list', { name: 'Timeline' }))
          .getAllByRole('listitem')
          .map(e => e.getAttribute('data-event')),
      ).toEqual(['requested', 'approved', 'granted']),
    );
    expect(
      screen.getByRole('region', { name: 'How to use this access' }),
    ).toHaveTextContent('kubectl --context prod -n payments get pods');
    expect(screen.getByRole('button', { name: 'Revoke' })).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Approve' }),
    ).not.toBeInTheDocument();
    expect(api.access.callsOf('getAccessRequest')).toContainEqual([seeded.id]);
  });

  it('says so when a request does not exist', async () => {
    renderPage(
      asReviewer(),
      '/env-parity/access/00000000-0000-4000-8000-00000000dead',
    );
    expect(
      await screen.findByText('No such access request'),
    ).toBeInTheDocument();
  });
});
