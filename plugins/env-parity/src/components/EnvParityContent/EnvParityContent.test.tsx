import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import {
  computeParityReport,
  ParityReport,
} from '@env-parity/plugin-env-parity-common';
import {
  backstageError,
  deferred,
  FakeEnvParityApi,
  renderContent as render,
} from '../../__testUtils__/render';
import {
  degradedReport,
  driftReport,
  emptyReport,
  ENTITY_REF,
  PROD_ARTIFACT,
  PROD_REVISION,
  STAGING_ARTIFACT,
  STAGING_REVISION,
  unannotatedEntity,
} from '../../__testUtils__/reports';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Staging: the annotations answered, GitHub failed (it last answered 3 h ago)
 * and the version endpoint never answered. Production: its cluster failed
 * after supplying the artifact shown, the annotations answered.
 */
function partialReport(now = Date.now()): ParityReport {
  const ago = (ms: number) => new Date(now - ms).toISOString();
  const report = computeParityReport({
    entityRef: ENTITY_REF,
    now: new Date(now),
    environments: [
      { name: 'staging', title: 'Staging', reference: false, source: 'config' },
      {
        name: 'production',
        title: 'Production',
        reference: true,
        source: 'config',
      },
    ],
    providerPrecedence: { kubernetes: 100 },
    snapshots: [
      {
        entityRef: ENTITY_REF,
        environment: 'staging',
        provider: 'annotations',
        deployment: {
          version: '1.5.0',
          revision: STAGING_REVISION,
          artifact: STAGING_ARTIFACT,
        },
        observedAt: ago(5 * MINUTE),
        checkedAt: ago(5 * MINUTE),
      },
      {
        entityRef: ENTITY_REF,
        environment: 'staging',
        provider: 'github',
        // superseded by the annotations (a tie goes alphabetically)
        deployment: { version: '1.5.0' },
        error: 'api.github.com answered 403: rate limit exceeded',
        observedAt: ago(3 * HOUR),
        checkedAt: ago(5 * MINUTE),
      },
      {
        entityRef: ENTITY_REF,
        environment: 'staging',
        provider: 'http',
        error: 'GET /version answered 503 Service Unavailable',
        checkedAt: ago(5 * MINUTE),
      },
      {
        entityRef: ENTITY_REF,
        environment: 'production',
        provider: 'annotations',
        deployment: { version: '1.4.2', revision: PROD_REVISION },
        observedAt: ago(5 * MINUTE),
        checkedAt: ago(5 * MINUTE),
      },
      {
        entityRef: ENTITY_REF,
        environment: 'production',
        provider: 'kubernetes',
        deployment: { artifact: PROD_ARTIFACT },
        error: 'cluster prod-eu is unreachable',
        observedAt: ago(2 * HOUR),
        checkedAt: ago(5 * MINUTE),
      },
    ],
  });
  // as the backend sends it
  return JSON.parse(JSON.stringify(report));
}

describe('EnvParityContent', () => {
  it('answers the question in words first, with the closest verdict', async () => {
    const api = new FakeEnvParityApi(async () => driftReport());
    render(api);

    expect(
      await screen.findByText(
        'Production runs 1.4.2 (4f1c2a9). Staging runs 1.5.0 (9e8d7c6), 3 commits ahead. Closest to production: staging, 3 commits ahead.',
      ),
    ).toBeInTheDocument();
    expect(api.getReportCalls).toEqual(['component:default/payments']);
    expect(screen.getByText('Parity with Production')).toBeInTheDocument();
    expect(screen.getByText('Closest to Production:')).toBeInTheDocument();
    expect(screen.getAllByText('ahead').length).toBeGreaterThan(0);
    expect(screen.getByText('observed 3 h ago')).toBeInTheDocument();
  });

  it('shows what runs in each environment, in promotion order', async () => {
    render(new FakeEnvParityApi(async () => driftReport()));

    const matrix = await screen.findByRole('table', { name: 'Environments' });
    const headers = within(matrix)
      .getAllByRole('columnheader')
      .map(h => h.textContent);
    expect(headers).toEqual(['', 'Staging', 'Productionreference']);

    expect(within(matrix).getByText('1.5.0')).toBeInTheDocument();
    expect(within(matrix).getByText('1.4.2')).toBeInTheDocument();

    // the revision links to the commit on GitHub (from the source location)
    const revision = within(matrix).getByText('4f1c2a9');
    expect(revision.closest('a')).toHaveAttribute(
      'href',
      `https://github.com/acme/payments/commit/${PROD_REVISION}`,
    );

    // short digest, and a button that copies the artifact reference
    expect(
      within(matrix).getByText(`sha256:${'a1'.repeat(6)}`),
    ).toBeInTheDocument();
    expect(
      within(matrix).getAllByRole('button', {
        name: 'Copy artifact reference',
      }),
    ).toHaveLength(2);

    expect(within(matrix).getByText('2 days ago')).toBeInTheDocument();
    expect(within(matrix).getByText('by deploy-bot')).toBeInTheDocument();
    expect(within(matrix).getByText('5 h ago')).toBeInTheDocument();
    expect(within(matrix).getByText('by jane.doe')).toBeInTheDocument();

    // owners link to their catalog pages
    expect(within(matrix).getByText('sre').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/group/sre',
    );
    expect(
      within(matrix).getByText('team-payments').closest('a'),
    ).toHaveAttribute('href', '/catalog/default/group/team-payments');

    // verdict and score for the non-reference environment only
    const parityRow = within(matrix).getByRole('row', { name: /^Parity/ });
    expect(within(parityRow).getByText('ahead')).toBeInTheDocument();
    expect(within(parityRow).getByText('score 78/100')).toBeInTheDocument();
    expect(within(parityRow).getByText('the reference')).toBeInTheDocument();
    expect(within(matrix).getAllByText('OK')).toHaveLength(2);
  });

  it('lists the drift of each environment with its commits', async () => {
    render(new FakeEnvParityApi(async () => driftReport()));

    const section = await screen.findByRole('region', {
      name: 'Staging compared with Production',
    });
    expect(
      within(section).getByText(
        'Staging runs 1.5.0 (9e8d7c6), 3 commits ahead.',
      ),
    ).toBeInTheDocument();
    expect(
      within(section).getByText(
        '3 commits ahead of Production, 0 commits behind',
      ),
    ).toBeInTheDocument();
    expect(
      within(section).getByText('Add the new checkout flow', { exact: false }),
    ).toBeInTheDocument();
    expect(within(section).getByText('jane.doe · #812')).toBeInTheDocument();
    expect(within(section).getByText('c0ffee1').closest('a')).toHaveAttribute(
      'href',
      'https://github.com/acme/payments/commit/c0ffee1234567890c0ffee1234567890c0ffee12',
    );

    const drift = within(section).getByRole('table', {
      name: 'Drift of Staging',
    });
    const row = (field: string) =>
      within(drift)
        .getAllByRole('row')
        .find(r => within(r).queryByText(field))!;

    const logLevel = within(row('LOG_LEVEL'));
    expect(logLevel.getByText('Config')).toBeInTheDocument();
    expect(logLevel.getByText('changed')).toBeInTheDocument();
    expect(logLevel.getByText('info')).toBeInTheDocument();
    expect(logLevel.getByText('debug')).toBeInTheDocument();

    // secrets never show values, and say why
    const password = within(row('DB_PASSWORD'));
    expect(password.getAllByText('value hidden (secret)')).toHaveLength(2);
    expect(password.getByText('secret')).toBeInTheDocument();
    expect(logLevel.queryByText('secret')).not.toBeInTheDocument();

    const added = within(row('FEATURE_NEW_CHECKOUT'));
    expect(added.getByText('added')).toBeInTheDocument();
    expect(added.getByText('not set')).toBeInTheDocument();
    expect(added.getByText('on')).toBeInTheDocument();

    const version = within(row('Version'));
    expect(version.getByText('1.4.2')).toBeInTheDocument();
    expect(version.getByText('1.5.0')).toBeInTheDocument();
  });

  it('marks stale data and shows each environment error', async () => {
    render(new FakeEnvParityApi(async () => degradedReport()));

    const matrix = await screen.findByRole('table', { name: 'Environments' });
    expect(within(matrix).getByText('Stale')).toBeInTheDocument();
    expect(
      within(matrix).getByText(/showing last good data from/),
    ).toHaveTextContent('showing last good data from 2 h ago');
    const failures = (title: string) =>
      within(
        within(matrix).getByRole('list', {
          name: `Failed providers in ${title}`,
        }),
      )
        .getAllByRole('listitem')
        .map(item => item.textContent);
    expect(failures('Staging')).toEqual([
      'argocd failed: connection refused by argocd.internal:443; last answered 2 h ago',
    ]);
    expect(within(matrix).getByText('Error')).toBeInTheDocument();
    expect(failures('QA')).toEqual([
      'kubernetes failed: cluster qa-eu is unreachable; no successful answer on record',
    ]);
    // only one provider each, so neither is partial
    expect(within(matrix).queryByText('Partial data')).toBeNull();
    expect(screen.getByText('QA could not be read.')).toBeInTheDocument();
    expect(screen.getByText('observed 10 min ago')).toBeInTheDocument();
  });

  it('warns of partial data, naming each failed provider and when it last answered', async () => {
    render(new FakeEnvParityApi(async () => partialReport()));

    const matrix = await screen.findByRole('table', { name: 'Environments' });
    const statusRow = within(matrix).getByRole('row', { name: /^Status/ });
    const [, stagingCell, productionCell] =
      within(statusRow).getAllByRole('cell');

    // staging: what came is current, but not everything came
    const staging = within(stagingCell);
    expect(staging.queryByText('OK')).toBeNull();
    expect(staging.getByText('Partial data')).toBeInTheDocument();
    // a warning icon, not colour alone
    expect(staging.getByTestId('status-warning')).toBeInTheDocument();
    expect(
      staging.getByText('showing what annotations reported'),
    ).toBeInTheDocument();
    const failures = within(
      staging.getByRole('list', { name: 'Failed providers in Staging' }),
    );
    expect(
      failures.getAllByRole('listitem').map(item => item.textContent),
    ).toEqual([
      'github failed: api.github.com answered 403: rate limit exceeded; last answered 3 h ago',
      'http failed: GET /version answered 503 Service Unavailable; no successful answer on record',
    ]);
    // the data that did come is still shown, and compared
    expect(within(matrix).getByText('1.5.0')).toBeInTheDocument();
    const parityRow = within(matrix).getByRole('row', { name: /^Parity/ });
    expect(within(parityRow).getByText('score 50/100')).toBeInTheDocument();

    // production: stale (the cluster's last good artifact is shown) and
    // partial; one warning, both facts
    const production = within(productionCell);
    expect(production.queryByText('OK')).toBeNull();
    expect(production.getByText('Stale')).toBeInTheDocument();
    expect(production.queryByText('Partial data')).toBeNull();
    expect(
      production.getByText(/showing last good data from/),
    ).toHaveTextContent('showing last good data from 2 h ago');
    expect(
      within(
        production.getByRole('list', {
          name: 'Failed providers in Production',
        }),
      )
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual([
      'kubernetes failed: cluster prod-eu is unreachable; last answered 2 h ago',
    ]);
    expect(
      within(matrix).getByText(`sha256:${'a1'.repeat(6)}`),
    ).toBeInTheDocument();
  });

  it('explains which annotations to add when no environment has data', async () => {
    render(new FakeEnvParityApi(async () => emptyReport()), {
      entity: unannotatedEntity,
    });

    expect(
      await screen.findByText('No deployment data for this component yet'),
    ).toBeInTheDocument();
    for (const key of [
      'env-parity/staging.version',
      'env-parity/staging.revision',
      'env-parity/staging.artifact',
      'env-parity/staging.deployed-at',
      'env-parity/staging.url',
      'env-parity/production.*',
    ]) {
      expect(screen.getByText(key)).toBeInTheDocument();
    }
    // the snippet is syntax highlighted once its highlighter has loaded
    const code = await screen.findByText(
      (_, element) =>
        element?.tagName === 'CODE' &&
        Boolean(element.textContent?.includes('annotations:')),
    );
    const snippet = code.textContent!;
    for (const env of ['staging', 'production']) {
      for (const field of [
        'version',
        'revision',
        'artifact',
        'deployed-at',
        'url',
      ]) {
        expect(snippet).toContain(`env-parity/${env}.${field}: '`);
      }
    }
    expect(screen.getByRole('button', { name: /copy/i })).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'Environments' }),
    ).not.toBeInTheDocument();
  });

  it('refreshes on demand, showing progress, then the new observation', async () => {
    const refreshed = deferred<ParityReport>();
    const api = new FakeEnvParityApi(
      async () => driftReport({ observedAgo: 3 * 60 * 60_000 }),
      () => refreshed.promise,
    );
    render(api);
    expect(await screen.findByText('observed 3 h ago')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));

    const busy = await screen.findByRole('button', { name: /Refreshing/ });
    expect(busy).toBeDisabled();
    expect(within(busy).getByRole('progressbar')).toBeInTheDocument();
    expect(api.refreshCalls).toEqual(['component:default/payments']);
    // the current report stays while refreshing
    expect(screen.getByText('observed 3 h ago')).toBeInTheDocument();

    refreshed.resolve(driftReport({ observedAgo: 0 }));

    expect(await screen.findByText('observed just now')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Refresh' })).toBeEnabled();
  });

  it('says when a refresh was refused for being too frequent, and when to try again', async () => {
    const tooOften = (retryAfter: string | undefined, message: string) =>
      ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'TooManyRequestsError', message },
            request: { method: 'POST', url: '/refresh' },
            response: { statusCode: 429 },
          }),
          {
            status: 429,
            statusText: 'Too Many Requests',
            headers: {
              'content-type': 'application/json',
              ...(retryAfter ? { 'retry-after': retryAfter } : {}),
            },
          },
        ),
      );
    const answers = [
      tooOften('42', 'Too many requests'),
      // Retry-After hidden from a cross-origin page: the message says it
      tooOften(undefined, 'Refreshed too often; try again in 7 s'),
    ];
    const api = new FakeEnvParityApi(
      async () => driftReport(),
      async () => {
        throw await answers.shift();
      },
    );
    render(api);
    await screen.findByText('observed 3 h ago');

    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(
      await screen.findByText('Refreshed too often; try again in 42 s'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Refresh failed/)).not.toBeInTheDocument();
    expect(screen.getByText('observed 3 h ago')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(
      await screen.findByText('Refreshed too often; try again in 7 s'),
    ).toBeInTheDocument();
  });

  it('keeps the report when a refresh fails and says why', async () => {
    const api = new FakeEnvParityApi(
      async () => driftReport(),
      async () => {
        throw await backstageError(500, 'Error', 'argocd timed out');
      },
    );
    render(api);
    await screen.findByText('observed 3 h ago');

    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));

    expect(
      await screen.findByText('Refresh failed: argocd timed out'),
    ).toBeInTheDocument();
    expect(screen.getByText('observed 3 h ago')).toBeInTheDocument();
    expect(
      screen.getByRole('table', { name: 'Environments' }),
    ).toBeInTheDocument();
  });

  it('says so when the user may not see parity', async () => {
    const error = await backstageError(403, 'NotAllowedError', 'Forbidden');
    render(
      new FakeEnvParityApi(async () => {
        throw error;
      }),
    );
    expect(
      await screen.findByText(
        'You are not allowed to read environment parity: this needs the permission env-parity.report.read.',
      ),
    ).toBeInTheDocument();
  });

  it('gives an unknown verdict no score (not 0/100) but its reason', async () => {
    const report = driftReport();
    const staging = report.environments.find(e => e.name === 'staging')!;
    staging.deployment = undefined;
    staging.status = 'missing';
    const comparison = report.comparisons.find(
      c => c.environment === 'staging',
    )!;
    comparison.verdict = 'unknown';
    comparison.score = 0;
    comparison.drift = [];
    render(new FakeEnvParityApi(async () => report));

    const matrix = await screen.findByRole('table', { name: 'Environments' });
    const parityRow = within(matrix).getByRole('row', { name: /^Parity/ });
    expect(
      within(parityRow).getByText('not deployed to Staging'),
    ).toBeInTheDocument();
    const drift = screen.getByRole('region', {
      name: 'Staging compared with Production',
    });
    expect(within(drift).getByText('not deployed to Staging')).toBeVisible();
    expect(screen.queryByText('score 0/100')).not.toBeInTheDocument();
  });

  it('shows other errors', async () => {
    const error = await backstageError(
      404,
      'NotFoundError',
      'No entity named component:default/payments',
    );
    render(
      new FakeEnvParityApi(async () => {
        throw error;
      }),
    );
    expect(
      (
        await screen.findAllByText(
          /No entity named component:default\/payments/,
        )
      ).length,
    ).toBeGreaterThan(0);
  });
});
