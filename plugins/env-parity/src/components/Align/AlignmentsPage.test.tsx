import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { rowsOf } from '../../__testUtils__/queue';
import { AlignmentsPage } from './AlignmentsPage';
import { accessError } from '../Access/__testUtils__';
import { alignApi, renderAlign } from './__testUtils__';

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5000 });

const CHECKOUT = 'component:default/checkout-web';

/** Alice, an SRE who approves aligning staging. */
function asReviewer() {
  const api = alignApi();
  api.align.user = 'user:default/alice';
  api.align.canReview = true;
  return api;
}

function renderPage(api = asReviewer(), path = '/env-parity/alignments') {
  renderAlign(<AlignmentsPage />, {
    api,
    mountPath: '/env-parity/alignments/*',
    initialRouteEntries: [path],
  });
  return api;
}

/** Bob's alignment of checkout-web, listed for Alice to decide on. */
async function bobsWaiting(fields: { reason?: string } = {}) {
  const api = asReviewer();
  const bobs = api.align.seed({
    entityRef: CHECKOUT,
    requester: 'user:default/bob',
    ...fields,
  });
  renderPage(api);
  const table = await screen.findByRole('tabpanel', {
    name: 'Waiting for my approval',
  });
  await waitFor(() => expect(rowsOf(table)).toHaveLength(1));
  return { api, bobs, row: rowsOf(table)[0] };
}

describe('AlignmentsPage', () => {
  it('explains each empty list', async () => {
    renderPage();
    expect(
      await screen.findByText('Nothing is waiting for you'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'Waiting for my approval (0)' }),
    ).toHaveAttribute('aria-selected', 'true');
    await userEvent.click(screen.getByRole('tab', { name: /^My alignments/ }));
    expect(
      await screen.findByText('You have not asked to align anything'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('tab', { name: /^Under way/ }));
    expect(
      await screen.findByText('No alignment is under way'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('tab', { name: 'History' }));
    expect(
      await screen.findByText('No finished alignments yet'),
    ).toBeInTheDocument();
  });

  it('approves with a comment what waits for me, and the lists follow', async () => {
    const { api, bobs, row } = await bobsWaiting({
      reason: 'Staging must run 2.4.0 before the release',
    });
    expect(row).toHaveTextContent('checkout-web');
    expect(row).toHaveTextContent('staging');
    expect(row).toHaveTextContent('Staging must run 2.4.0 before the release');
    expect(row).toHaveTextContent('waiting for one approval from sre');
    // a reviewer never cancels someone else's
    expect(within(row).queryByRole('button', { name: /^Cancel/ })).toBeNull();

    await userEvent.click(
      within(row).getByRole('button', {
        name: `Approve aligning staging of ${CHECKOUT}`,
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Approve alignment',
    });
    expect(within(dialog).getByLabelText('Requester')).toHaveTextContent('bob');
    expect(within(dialog).getByLabelText('Target')).toHaveTextContent(
      '2.4.0 (9f2c1e7, sha256:3b1f0c9e8d7a)',
    );
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Comment/ }),
      'Go ahead',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    expect(
      await screen.findByText(
        'Aligning staging of checkout-web with production is now dispatched.',
      ),
    ).toBeInTheDocument();
    expect(api.align.callsOf('decideAlignment')).toEqual([
      [bobs.id, 'approve', 'Go ahead'],
    ]);
    expect(
      await screen.findByRole('tab', { name: 'Waiting for my approval (0)' }),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('tab', { name: /^Under way/ }));
    const underWay = await screen.findByRole('tabpanel', { name: 'Under way' });
    await waitFor(() => expect(rowsOf(underWay)).toHaveLength(1));
    expect(rowsOf(underWay)[0]).toHaveTextContent('dispatched');
  });

  it('denies only with a comment', async () => {
    const { api, bobs, row } = await bobsWaiting();
    await userEvent.click(within(row).getByRole('button', { name: /^Deny/ }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Deny alignment',
    });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Deny' }));
    expect(
      await within(dialog).findByText('A comment is required'),
    ).toBeInTheDocument();
    expect(api.align.callsOf('decideAlignment')).toHaveLength(0);
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Why is it denied/ }),
      'Release freeze until Monday',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Deny' }));
    expect(
      await screen.findByText(
        'Aligning staging of checkout-web with production is now denied.',
      ),
    ).toBeInTheDocument();
    expect(api.align.callsOf('decideAlignment')).toEqual([
      [bobs.id, 'deny', 'Release freeze until Monday'],
    ]);
  });

  it('says so when someone else decided first', async () => {
    const { api, bobs, row } = await bobsWaiting();
    await userEvent.click(
      within(row).getByRole('button', { name: /^Approve/ }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Approve alignment',
    });
    // another approver was quicker
    api.align.advance(bobs.id, 'dispatched');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    expect(
      await screen.findByText(
        /Someone else decided first: Alignment .* is dispatched; it cannot become dispatched/,
      ),
    ).toBeInTheDocument();
  });

  it('shows one alignment with its facts, approvals and timeline', async () => {
    const api = asReviewer();
    const done = api.align.seed({
      entityRef: CHECKOUT,
      requester: 'user:default/bob',
    });
    await api.align.decideAlignment(done.id, 'approve', 'Go ahead');
    api.align.advance(done.id, 'verifying');
    api.align.advance(done.id, 'aligned');
    renderPage(api, `/env-parity/alignments/${done.id}`);
    const facts = await screen.findByLabelText('Alignment');
    expect(within(facts).getByLabelText('Artifact')).toHaveTextContent(
      'ghcr.io/acme/payments-api:2.4.0@sha256:',
    );
    expect(within(facts).getByLabelText('Deployer')).toHaveTextContent(
      'webhook',
    );
    expect(screen.getByRole('region', { name: 'Approvals' })).toHaveTextContent(
      'Approvals (1 of 1)alice approved',
    );
    const timeline = screen.getByRole('list', { name: 'Timeline' });
    expect(
      within(timeline)
        .getAllByRole('listitem')
        .map(li => li.getAttribute('data-event')),
    ).toEqual(['requested', 'approved', 'verifying', 'aligned']);
    expect(timeline).toHaveTextContent(
      'observed the environment running production’s artifact',
    );
    // final: nothing left to decide
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(
      screen.getByRole('link', { name: /All alignments/ }),
    ).toBeInTheDocument();
  });

  it('shows why an alignment failed', async () => {
    const api = asReviewer();
    const failed = api.align.seed({
      entityRef: CHECKOUT,
      requester: 'user:default/bob',
      status: 'dispatched',
    });
    api.align.advance(
      failed.id,
      'failed',
      'The webhook answered 422: unknown environment staging',
    );
    renderPage(api, `/env-parity/alignments/${failed.id}`);
    expect(await screen.findByText('The deployer failed')).toBeInTheDocument();
    expect(
      screen.getAllByText(
        'The webhook answered 422: unknown environment staging',
      ).length,
    ).toBeGreaterThan(0);
  });

  it('says when alignment is not configured', async () => {
    const api = asReviewer();
    api.align.configured = false;
    renderPage(api);
    expect(
      await screen.findByText(
        /Aligning environments with production is not enabled/,
      ),
    ).toBeInTheDocument();
  });

  it('says when an alignment does not exist or cannot be seen', async () => {
    const api = asReviewer();
    api.align.failNext(
      'getAlignment',
      await accessError(404, 'NotFoundError', 'No alignment x'),
    );
    renderPage(
      api,
      '/env-parity/alignments/00000000-0000-4000-8000-000000000000',
    );
    expect(await screen.findByText('No such alignment')).toBeInTheDocument();
  });
});
