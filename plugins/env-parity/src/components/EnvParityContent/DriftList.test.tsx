import { screen, within } from '@testing-library/react';
import {
  computeParityReport,
  ConfigFingerprint,
  EnvironmentDefinition,
  ParityReport,
  RevisionComparison,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import {
  FakeEnvParityApi,
  renderContent as render,
} from '../../__testUtils__/render';
import {
  ENTITY_REF,
  PROD_ARTIFACT,
  PROD_REVISION,
  STAGING_ARTIFACT,
  STAGING_REVISION,
} from '../../__testUtils__/reports';

const ENVIRONMENTS: EnvironmentDefinition[] = [
  { name: 'staging', title: 'Staging', reference: false, source: 'config' },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    source: 'config',
  },
];

const NOW = Date.now();
const OBSERVED = new Date(NOW - 60_000).toISOString();

function snapshot(
  environment: string,
  deployment: Snapshot['deployment'],
): Snapshot {
  return {
    entityRef: ENTITY_REF,
    environment,
    provider: 'kubernetes',
    deployment,
    observedAt: OBSERVED,
    checkedAt: OBSERVED,
  };
}

/** As the backend sends it: every configuration hash blanked. */
function report(
  snapshots: Snapshot[],
  revisionComparisons?: Record<string, RevisionComparison>,
): ParityReport {
  const computed = computeParityReport({
    entityRef: ENTITY_REF,
    environments: ENVIRONMENTS,
    snapshots,
    revisionComparisons,
    now: new Date(NOW),
  });
  return JSON.parse(
    JSON.stringify(computed, (key, value) => (key === 'hash' ? '' : value)),
  );
}

const commit = (sha: string, message: string) => ({
  sha: sha.repeat(40 / sha.length),
  message,
  url: `https://github.com/acme/payments/commit/${sha.repeat(40 / sha.length)}`,
});

const COMPARE_URL =
  'https://github.com/acme/payments/compare/4f1c2a9...9e8d7c6';

describe('DriftList', () => {
  it("lists what production has and staging lacks first, then staging's own commits, each under a heading", async () => {
    const staging = {
      version: '1.5.0',
      revision: STAGING_REVISION,
      artifact: STAGING_ARTIFACT,
    };
    const production = {
      version: '1.4.3',
      revision: PROD_REVISION,
      artifact: PROD_ARTIFACT,
    };
    render(
      new FakeEnvParityApi(async () =>
        report(
          [snapshot('staging', staging), snapshot('production', production)],
          {
            staging: {
              status: 'diverged',
              aheadBy: 4,
              behindBy: 2,
              url: COMPARE_URL,
              commits: [
                commit('a1', 'Add the new checkout flow'),
                commit('a2', 'Log at debug level'),
              ],
              commitsMissing: [
                commit('b1', 'Hotfix: restore the payment timeout'),
                commit('b2', 'Release 1.4.3'),
              ],
            },
          },
        ),
      ),
    );

    const section = await screen.findByRole('region', {
      name: 'Staging compared with Production',
    });
    const headings = within(section)
      .getAllByRole('heading', { level: 4 })
      .map(h => h.textContent);
    expect(headings).toEqual([
      'In Production, missing here (2)',
      'Here, not yet in Production (4)',
    ]);
    const missing = within(section).getByRole('list', {
      name: 'In Production, missing here',
    });
    expect(
      within(missing)
        .getAllByRole('listitem')
        .map(i => i.textContent),
    ).toEqual([
      expect.stringContaining('Hotfix: restore the payment timeout'),
      expect.stringContaining('Release 1.4.3'),
    ]);
    const added = within(section).getByRole('list', {
      name: 'Here, not yet in Production',
    });
    expect(within(added).getAllByRole('listitem')).toHaveLength(2);
    // only 2 of the 4 are listed: the rest on GitHub
    expect(within(section).getByText(/and 2 more/)).toBeInTheDocument();
    for (const link of within(section).getAllByRole('link', {
      name: /full comparison/i,
    })) {
      expect(link).toHaveAttribute('href', COMPARE_URL);
    }
  });

  it('shows one row per setting, naming its keys, with values hidden for every key of a secret setting', async () => {
    const fp = (hash: string, extra: Partial<ConfigFingerprint> = {}) => ({
      hash,
      ...extra,
    });
    const config = (production: boolean) => {
      const flags = fp(production ? 'on' : 'off', {
        value: `instant-refunds=${production ? 'on' : 'off'},3ds2=on`,
      });
      return {
        'configmap/payments-config.FEATURE_FLAGS': flags,
        'deployment/payments/payments.env.FEATURE_FLAGS': flags,
        'helm.values.featureFlags.instantRefunds': fp(
          production ? 'true' : 'false',
        ),
        'deployment/payments/payments.env.DATABASE_URL': fp(
          production ? 'db1' : 'db2',
          { secret: true },
        ),
        'secret/payments-secrets.DATABASE_URL': fp(production ? 'db1' : 'db2', {
          secret: true,
        }),
      };
    };
    const deployment = (production: boolean) => ({
      version: '1.4.2',
      artifact: PROD_ARTIFACT,
      config: config(production),
    });
    render(
      new FakeEnvParityApi(async () =>
        report([
          snapshot('staging', deployment(false)),
          snapshot('production', deployment(true)),
        ]),
      ),
    );

    const section = await screen.findByRole('region', {
      name: 'Staging compared with Production',
    });
    expect(
      within(section).getByText(
        'Staging runs the same build, but 2 settings differ: instant refunds, DATABASE_URL.',
      ),
    ).toBeInTheDocument();
    const drift = within(section).getByRole('table', {
      name: 'Drift of Staging',
    });
    const rows = within(drift).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);

    const refunds = within(rows[0]);
    expect(refunds.getByText('instant refunds')).toBeInTheDocument();
    expect(
      within(refunds.getByRole('list', { name: 'Keys of instant refunds' }))
        .getAllByRole('listitem')
        .map(i => i.textContent),
    ).toEqual([
      'configmap/payments-config.FEATURE_FLAGS (ConfigMap)',
      'deployment/payments/payments.env.FEATURE_FLAGS (Deployment)',
      'helm.values.featureFlags.instantRefunds (Helm values)',
    ]);
    expect(refunds.getByText('instant-refunds=on')).toBeInTheDocument();
    expect(refunds.getByText('instant-refunds=off')).toBeInTheDocument();
    expect(refunds.queryByText(/value hidden/)).not.toBeInTheDocument();

    const database = within(rows[1]);
    expect(database.getByText('DATABASE_URL')).toBeInTheDocument();
    expect(database.getByText('secret')).toBeInTheDocument();
    expect(database.getAllByText('value hidden (secret)')).toHaveLength(2);
    expect(
      within(database.getByRole('list', { name: 'Keys of DATABASE_URL' }))
        .getAllByRole('listitem')
        .map(i => i.textContent),
    ).toEqual([
      'deployment/payments/payments.env.DATABASE_URL (Deployment)',
      'secret/payments-secrets.DATABASE_URL (Secret)',
    ]);
  });
});
