import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accessError } from '../Access/__testUtils__';
import { alignApi, productionTarget, renderTab } from './__testUtils__';

jest.setTimeout(30_000);
// the first render of a test app takes a while
configure({ asyncUtilTimeout: 5000 });

const ENTITY = 'component:default/payments';
const ALIGN = 'Align with production';
const DIALOG = 'Align Staging with Production';

async function openDialog() {
  const staging = await screen.findByRole('region', {
    name: 'Staging alignment',
  });
  await userEvent.click(
    await within(staging).findByRole('button', { name: ALIGN }),
  );
  return screen.findByRole('dialog', { name: DIALOG });
}

describe('AlignSection on the Parity tab', () => {
  beforeEach(() => {
    // jsdom lays nothing out, so it cannot scroll to the linked section
    Element.prototype.scrollIntoView = jest.fn();
  });

  it('offers to align the drifting environment, as the preview describes it', async () => {
    const api = renderTab();
    const staging = await screen.findByRole('region', {
      name: 'Staging alignment',
    });
    expect(
      await within(staging).findByRole('button', { name: ALIGN }),
    ).toBeEnabled();
    expect(staging).toHaveTextContent(
      'with the webhook deployer, once sre approves',
    );
    // the reference itself is never offered
    expect(
      screen.queryByRole('region', { name: 'Production alignment' }),
    ).not.toBeInTheDocument();
    expect(api.align.callsOf('previewAlignment')).toEqual([
      [ENTITY, 'staging'],
    ]);
    expect(api.align.callsOf('listAlignments')[0]).toEqual([
      { entityRef: ENTITY, limit: 50 },
    ]);
  });

  it('shows what will be deployed, what stays different, the deployer and the approvers', async () => {
    renderTab();
    const dialog = await openDialog();
    const facts = await within(dialog).findByLabelText('Version');
    expect(facts).toHaveTextContent(productionTarget.version!);
    expect(within(dialog).getByLabelText('Revision')).toHaveTextContent(
      productionTarget.revision!,
    );
    expect(within(dialog).getByLabelText('Artifact')).toHaveTextContent(
      productionTarget.artifact!,
    );
    expect(within(dialog).getByLabelText('Digest')).toHaveTextContent(
      productionTarget.digest!,
    );
    expect(within(dialog).getByLabelText('Deployer')).toHaveTextContent(
      'webhook',
    );
    expect(within(dialog).getByLabelText('Approval')).toHaveTextContent(
      'one approval from sre; nobody approves their own request',
    );
    const left = within(dialog).getByRole('list', {
      name: 'Configuration drift left',
    });
    expect(
      within(left)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual(['LOG_LEVEL', 'FEATURE_NEW_CHECKOUT']);
    expect(dialog).toHaveTextContent(
      'The deployer carries no configuration: it deploys the artifact only.',
    );
  });

  it('requires a reason, shows the backend refusing a short one, then asks', async () => {
    const api = renderTab();
    const dialog = await openDialog();
    const submit = await within(dialog).findByRole('button', {
      name: 'Ask to align',
    });
    await userEvent.click(submit);
    expect(
      await within(dialog).findByText(
        'Say why Staging should run what Production runs',
      ),
    ).toBeInTheDocument();
    expect(api.align.callsOf('createAlignment')).toHaveLength(0);

    const reason = within(dialog).getByRole('textbox', { name: /Reason/ });
    await userEvent.type(reason, 'too short');
    await userEvent.click(submit);
    expect(
      await within(dialog).findByText(
        'The reason must be at least 10 characters',
      ),
    ).toBeInTheDocument();
    expect(reason).toHaveAttribute('aria-invalid', 'true');

    await userEvent.type(reason, ' for the release');
    await userEvent.click(submit);
    await waitFor(() =>
      expect(screen.queryByRole('dialog', { name: DIALOG })).toBeNull(),
    );
    // the short reason reached the backend, which refused it
    expect(api.align.callsOf('createAlignment').map(([body]) => body)).toEqual([
      { entityRef: ENTITY, environment: 'staging', reason: 'too short' },
      {
        entityRef: ENTITY,
        environment: 'staging',
        reason: 'too short for the release',
      },
    ]);
    expect(
      await screen.findByText(
        'Asked to align Staging of payments with Production. Members of sre have been notified.',
      ),
    ).toBeInTheDocument();
    // the alignment under way replaces the button
    const staging = screen.getByRole('region', { name: 'Staging alignment' });
    await waitFor(() =>
      expect(
        within(staging).getByText('pending approval', { selector: 'span' }),
      ).toBeInTheDocument(),
    );
    expect(within(staging).queryByRole('button', { name: ALIGN })).toBeNull();
    expect(staging).toHaveTextContent('waiting for one approval from sre');
    expect(
      within(staging).getByRole('link', {
        name: 'View alignment and timeline',
      }),
    ).toHaveAttribute(
      'href',
      expect.stringMatching(/^\/env-parity\/alignments\/[0-9a-f-]+$/),
    );
  });

  it('shows an alignment under way with its status, and the service’s alignments', async () => {
    const api = alignApi();
    // a reviewer sees the alignments others asked for
    api.align.canReview = true;
    const done = api.align.seed({
      entityRef: ENTITY,
      requester: 'user:default/bob',
      reason: 'Earlier release',
    });
    api.align.advance(done.id, 'dispatched');
    api.align.advance(done.id, 'verifying');
    api.align.advance(done.id, 'aligned');
    const current = api.align.seed({ entityRef: ENTITY });
    api.align.advance(current.id, 'dispatched');
    api.align.advance(current.id, 'verifying');
    renderTab(api);

    const staging = await screen.findByRole('region', {
      name: 'Staging alignment',
    });
    await waitFor(() =>
      expect(staging).toHaveTextContent(
        'deployed; waiting to observe staging running it',
      ),
    );
    expect(within(staging).getByText('verifying')).toBeInTheDocument();
    const history = screen.getByRole('table', {
      name: 'Alignments of this service',
    });
    const rows = within(history).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows.map(r => r.getAttribute('data-alignment')).sort()).toEqual(
      [done.id, current.id].sort(),
    );
    expect(within(history).getByText('aligned')).toBeInTheDocument();
    expect(history).toHaveTextContent('2.4.0 (9f2c1e7, sha256:3b1f0c9e8d7a)');
  });

  it('shows the alignment under way on its environment in the matrix, with the section closed', async () => {
    const api = alignApi();
    const current = api.align.seed({ entityRef: ENTITY });
    renderTab(api, { route: '/catalog/default/component/payments/parity' });
    const matrix = await screen.findByRole('table', { name: 'Environments' });
    const underWay = await waitFor(() => {
      const found = matrix.querySelector(
        `[data-alignment-under-way="${current.id}"]`,
      );
      expect(found).not.toBeNull();
      return found as HTMLElement;
    });
    expect(underWay).toHaveTextContent(
      'Aligning with production:pending approvaldetails',
    );
    expect(
      within(underWay).getByRole('link', { name: 'details' }),
    ).toHaveAttribute('href', `/env-parity/alignments/${current.id}`);
    // in Staging's column
    const cell = underWay.closest('td')!;
    const row = cell.closest('tr')!;
    const column = [...row.children].indexOf(cell);
    expect(
      within(matrix).getAllByRole('columnheader')[column],
    ).toHaveTextContent('Staging');
    expect(
      screen.getByRole('button', { name: 'Align', exact: true } as any),
    ).toHaveAttribute('aria-expanded', 'false');
  });

  it('opens the alignment and its timeline in a dialog where the app has no alignments page', async () => {
    const api = alignApi();
    const seeded = api.align.seed({ entityRef: ENTITY });
    api.align.advance(seeded.id, 'dispatched');
    renderTab(api, { withPage: false });
    const staging = await screen.findByRole('region', {
      name: 'Staging alignment',
    });
    await userEvent.click(
      await within(staging).findByRole('button', {
        name: 'View alignment and timeline',
      }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Alignment' });
    const timeline = await within(dialog).findByRole('list', {
      name: 'Timeline',
    });
    expect(
      within(timeline)
        .getAllByRole('listitem')
        .map(li => li.getAttribute('data-event')),
    ).toEqual(['requested', 'dispatched']);
    expect(timeline).toHaveTextContent('called the deployer');
  });

  it('explains why an environment cannot be aligned now', async () => {
    const api = alignApi();
    api.align.failNext(
      'previewAlignment',
      await accessError(
        409,
        'ConflictError',
        'The artifact digest and revision of component:default/payments in production are unknown',
      ),
    );
    renderTab(api);
    const staging = await screen.findByRole('region', {
      name: 'Staging alignment',
    });
    expect(
      await within(staging).findByText(
        'Cannot align now: The artifact digest and revision of component:default/payments in production are unknown',
      ),
    ).toBeInTheDocument();
    expect(within(staging).queryByRole('button', { name: ALIGN })).toBeNull();
  });

  it('shows nothing where alignment is not configured', async () => {
    const api = alignApi();
    api.align.configured = false;
    renderTab(api);
    expect(
      await screen.findByRole('button', { name: 'Drift' }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(api.align.callsOf('listAlignments')).toHaveLength(1),
    );
    expect(screen.queryByRole('button', { name: ALIGN })).toBeNull();
    // the section renders nothing, so the tab leaves it out
    await waitFor(() =>
      expect(document.getElementById('align')).not.toBeVisible(),
    );
    expect(api.align.callsOf('previewAlignment')).toHaveLength(0);
  });

  it('shows nothing where alignment is enabled for none of the environments', async () => {
    const api = alignApi();
    api.align.policies = {};
    renderTab(api);
    await waitFor(() =>
      expect(api.align.callsOf('previewAlignment')).toHaveLength(1),
    );
    await waitFor(() =>
      expect(document.getElementById('align')).not.toBeVisible(),
    );
    expect(screen.queryByRole('button', { name: ALIGN })).toBeNull();
  });

  it('shows a preview that fails, and tries again', async () => {
    const api = renderTab();
    await screen.findByRole('button', { name: ALIGN });
    api.align.failNext(
      'previewAlignment',
      await accessError(503, 'ServiceUnavailableError', 'catalog is down'),
    );
    const dialog = await openDialog();
    expect(
      await within(dialog).findByText(
        'Could not prepare the alignment: catalog is down',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Try again' }),
    );
    expect(await within(dialog).findByLabelText('Version')).toHaveTextContent(
      '2.4.0',
    );
  });
});
