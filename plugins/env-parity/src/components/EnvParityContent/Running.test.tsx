import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  FakeEnvParityApi,
  renderContent as render,
} from '../../__testUtils__/render';
import {
  CONFIG_KEYS,
  driftReport,
  ENVOY_DIGEST,
  MIXED_DIGESTS_MESSAGE,
  mixedDigestsMessage,
  MULTI_SOURCE_KEYS,
  multiSourceReport,
  PROD_DIGEST,
  runningReport,
  STAGING_DIGEST,
  STAGING_OLD_DIGEST,
  twoClusterReport,
  US_DIGEST,
  US_OLD_DIGEST,
} from '../../__testUtils__/reports';

const short = (digest: string) => digest.slice(0, 'sha256:'.length + 12);

/** Opens the details of what runs in an environment (a summary until then). */
async function showDetails(environment: string) {
  await userEvent.click(
    await screen.findByRole('button', {
      name: `Show details of what runs in ${environment}`,
    }),
  );
}

async function driftTable(environment: string) {
  const section = await screen.findByRole('region', {
    name: `${environment} compared with Production`,
  });
  const table = within(section).getByRole('table', {
    name: `Drift of ${environment}`,
  });
  const row = (field: string) => {
    const found = within(table)
      .getAllByRole('row')
      .find(r => within(r).queryByText(field));
    if (!found) {
      throw new Error(`no drift row for ${field}`);
    }
    return within(found);
  };
  return { section, table, row };
}

describe('EnvParityContent: what runs', () => {
  it('shows the workloads of each environment with the digests they run', async () => {
    render(new FakeEnvParityApi(async () => runningReport()));
    await showDetails('Staging');
    await showDetails('Production');

    const matrix = await screen.findByRole('table', { name: 'Environments' });
    const runningRow = within(matrix).getByRole('row', { name: /^Running/ });

    const staging = within(
      within(runningRow).getByRole('list', { name: 'Running in Staging' }),
    );
    expect(staging.getAllByRole('listitem')).toHaveLength(1);
    expect(staging.getByText('Deployment')).toBeInTheDocument();
    expect(staging.getByText('staging-eu · payments')).toBeInTheDocument();
    expect(staging.getByText('2/3 ready')).toBeInTheDocument();
    expect(
      staging.getByTitle('Fewer replicas ready than desired'),
    ).toBeInTheDocument();
    expect(staging.getByText('Progressing')).toBeInTheDocument();
    expect(
      staging.getByText('ghcr.io/acme/payments:1.5.0'),
    ).toBeInTheDocument();
    expect(staging.getByText(short(STAGING_DIGEST))).toBeInTheDocument();
    expect(staging.getByText(short(STAGING_OLD_DIGEST))).toBeInTheDocument();
    expect(
      staging.getByTitle('Pods run different digests'),
    ).toBeInTheDocument();
    expect(
      staging.getByText('docker.io/envoyproxy/envoy:v1.30.1'),
    ).toBeInTheDocument();
    expect(staging.getByText(short(ENVOY_DIGEST))).toBeInTheDocument();
    expect(staging.queryByText(short(PROD_DIGEST))).not.toBeInTheDocument();

    const production = within(
      within(runningRow).getByRole('list', { name: 'Running in Production' }),
    );
    expect(production.getAllByRole('listitem')).toHaveLength(2);
    expect(production.getByText('prod-eu · payments')).toBeInTheDocument();
    expect(production.getByText('6/6 ready')).toBeInTheDocument();
    expect(
      production.queryByTitle('Fewer replicas ready than desired'),
    ).not.toBeInTheDocument();
    expect(production.getByText('Available')).toBeInTheDocument();
    expect(production.getByText(short(PROD_DIGEST))).toBeInTheDocument();
    expect(
      production.queryByTitle('Pods run different digests'),
    ).not.toBeInTheDocument();
    expect(
      production.queryByText(short(STAGING_DIGEST)),
    ).not.toBeInTheDocument();
    // the Argo CD application, with its details
    expect(production.getByText('Application')).toBeInTheDocument();
    expect(production.getByText('payments-production')).toBeInTheDocument();
    expect(production.getByText('argocd-main')).toBeInTheDocument();
    expect(production.getByText('Synced / Healthy')).toBeInTheDocument();
    expect(production.getByText('4f1c2a9')).toBeInTheDocument();
    expect(production.getByText('prod-eu/payments')).toBeInTheDocument();
  });

  it('warns prominently about pods running different digests, listing them', async () => {
    render(new FakeEnvParityApi(async () => runningReport()));

    const findings = await screen.findByRole('group', {
      name: 'Findings in Staging',
    });
    const alert = within(findings).getByRole('alert');
    expect(alert).toHaveTextContent(MIXED_DIGESTS_MESSAGE);
    expect(within(alert).getByText('Deployment payments · app:')).toBeVisible();
    expect(within(alert).getByText(short(STAGING_DIGEST))).toBeVisible();
    expect(within(alert).getByText(short(STAGING_OLD_DIGEST))).toBeVisible();
    expect(
      within(alert).queryByText(short(ENVOY_DIGEST)),
    ).not.toBeInTheDocument();

    // information is shown too, but not as an alert
    const info = within(findings).getByText(
      'Deployment payments is progressing.',
    );
    expect(info.closest('[role="alert"]')).toBeNull();

    // the findings sit in the status row, next to the environment they concern
    const statusRow = screen.getByRole('row', { name: /^Status/ });
    expect(statusRow).toContainElement(findings);
    expect(
      screen.queryByRole('group', { name: 'Findings in Production' }),
    ).not.toBeInTheDocument();
    expect(screen.getAllByRole('alert')).toHaveLength(1);
  });

  it('lists under each mixed-digests finding only the digests of the resource it names', async () => {
    render(new FakeEnvParityApi(async () => twoClusterReport()));

    const findings = await screen.findByRole('group', {
      name: 'Findings in Staging',
    });
    const alerts = within(findings).getAllByRole('alert');
    expect(alerts).toHaveLength(2);
    const alertOf = (cluster: string) => {
      const found = alerts.find(a =>
        a.textContent?.includes(mixedDigestsMessage(cluster)),
      );
      if (!found) {
        throw new Error(`no alert for ${cluster}`);
      }
      return within(found);
    };

    const eu = alertOf('staging-eu');
    expect(eu.getAllByText('Deployment payments · app:')).toHaveLength(1);
    expect(eu.getByText(short(STAGING_DIGEST))).toBeInTheDocument();
    expect(eu.getByText(short(STAGING_OLD_DIGEST))).toBeInTheDocument();
    expect(eu.queryByText(short(US_DIGEST))).not.toBeInTheDocument();
    expect(eu.queryByText(short(US_OLD_DIGEST))).not.toBeInTheDocument();

    const us = alertOf('staging-us');
    expect(us.getAllByText('Deployment payments · app:')).toHaveLength(1);
    expect(us.getByText(short(US_DIGEST))).toBeInTheDocument();
    expect(us.getByText(short(US_OLD_DIGEST))).toBeInTheDocument();
    expect(us.queryByText(short(STAGING_DIGEST))).not.toBeInTheDocument();
    expect(us.queryByText(short(STAGING_OLD_DIGEST))).not.toBeInTheDocument();
  });

  it('lists every mixed image under a finding naming no resource, keyed by cluster', async () => {
    const error = jest.spyOn(console, 'error');
    try {
      render(
        new FakeEnvParityApi(async () =>
          twoClusterReport({ unnamedFindings: true }),
        ),
      );

      const findings = await screen.findByRole('group', {
        name: 'Findings in Staging',
      });
      const alerts = within(findings).getAllByRole('alert');
      expect(alerts).toHaveLength(2);
      for (const alert of alerts) {
        // the same workload in two clusters: the cluster tells them apart
        expect(
          within(alert).getByText('Deployment payments on staging-eu · app:'),
        ).toBeInTheDocument();
        expect(
          within(alert).getByText('Deployment payments on staging-us · app:'),
        ).toBeInTheDocument();
        for (const digest of [
          STAGING_DIGEST,
          STAGING_OLD_DIGEST,
          US_DIGEST,
          US_OLD_DIGEST,
        ]) {
          expect(within(alert).getByText(short(digest))).toBeInTheDocument();
        }
      }
      // React warns of colliding keys
      expect(
        error.mock.calls.filter(args =>
          String(args[0]).includes('two children with the same key'),
        ),
      ).toEqual([]);
    } finally {
      error.mockRestore();
    }
  });

  it('labels the keys of a multi-source Argo CD Application by their source', async () => {
    render(new FakeEnvParityApi(async () => multiSourceReport()));

    const { row } = await driftTable('Staging');
    // the first cell: the type, then where the key comes from
    const typeOf = (r: ReturnType<typeof row>) =>
      r.getAllByRole('cell')[0].textContent;
    const replicas = row(MULTI_SOURCE_KEYS.replicas);
    expect(typeOf(replicas)).toBe('ConfigHelm values · source[1]');
    expect(replicas.getByText('6')).toBeInTheDocument();
    expect(replicas.getByText('2')).toBeInTheDocument();
    expect(replicas.getByText('source[1]')).toHaveAttribute(
      'title',
      'spec.sources[1] of a multi-source Argo CD Application',
    );
    const image = row(MULTI_SOURCE_KEYS.image);
    expect(typeOf(image)).toBe('ConfigKustomize image · source[0]');
    const password = row(MULTI_SOURCE_KEYS.password);
    expect(typeOf(password)).toBe('ConfigHelm values · source[1]');
    expect(password.getByText('secret')).toBeInTheDocument();
    expect(password.getAllByText('value hidden (secret)')).toHaveLength(2);
    // a key without a label still tells its source
    const parameter = row(MULTI_SOURCE_KEYS.parameter);
    expect(typeOf(parameter)).toBe('Configsource[1]');
    expect(parameter.getByText('added')).toBeInTheDocument();
  });

  it('marks secret configuration drift without showing a value', async () => {
    render(new FakeEnvParityApi(async () => runningReport()));

    const { table, row } = await driftTable('Staging');
    const password = row(CONFIG_KEYS.password);
    expect(password.getByText('secret')).toBeInTheDocument();
    expect(password.getByText('Secret')).toBeInTheDocument();
    expect(password.getByText('changed')).toBeInTheDocument();
    expect(password.getAllByText('value hidden (secret)')).toHaveLength(2);
    expect(table).not.toHaveTextContent(/h-secret/);
    // a key one environment could not read is never compared
    expect(
      within(table).queryByText(CONFIG_KEYS.token),
    ).not.toBeInTheDocument();

    // other keys show their values, labelled by where they come from
    const logLevel = row(CONFIG_KEYS.logLevel);
    expect(logLevel.getByText('Deployment')).toBeInTheDocument();
    expect(logLevel.getByText('info')).toBeInTheDocument();
    expect(logLevel.getByText('debug')).toBeInTheDocument();
    expect(logLevel.queryByText('secret')).not.toBeInTheDocument();
    const feature = row(CONFIG_KEYS.feature);
    expect(feature.getByText('ConfigMap')).toBeInTheDocument();
    expect(feature.getByText('off')).toBeInTheDocument();
    expect(feature.getByText('on')).toBeInTheDocument();
    const image = row(CONFIG_KEYS.image);
    expect(image.getByText('Kustomize image')).toBeInTheDocument();
    expect(image.getByText('1.5.0')).toBeInTheDocument();
  });

  it('notes the configuration differences ignored as expected', async () => {
    render(new FakeEnvParityApi(async () => runningReport()));

    const { section, table } = await driftTable('Staging');
    const note = within(section).getByText(
      (_, element) =>
        element?.tagName === 'P' &&
        element.textContent ===
          `2 configuration differences ignored as expected: ${CONFIG_KEYS.region}, ${CONFIG_KEYS.replicas}`,
    );
    expect(note).toBeInTheDocument();
    const help = within(note).getByTitle(/envParity\.config\.ignore/);
    expect(help).toHaveAttribute(
      'title',
      expect.stringContaining('env-parity/ignore-config'),
    );
    // ignored keys are not drift
    expect(
      within(table).queryByText(CONFIG_KEYS.region),
    ).not.toBeInTheDocument();
    expect(
      within(table).queryByText(CONFIG_KEYS.replicas),
    ).not.toBeInTheDocument();
  });

  it('summarises what runs in one line per environment, the details on demand', async () => {
    render(new FakeEnvParityApi(async () => runningReport()));

    const matrix = await screen.findByRole('table', { name: 'Environments' });
    const runningRow = within(matrix).getByRole('row', { name: /^Running/ });
    const cellOf = (environment: string) =>
      within(runningRow)
        .getByRole('button', {
          name: `Show details of what runs in ${environment}`,
        })
        .closest('td')!;
    const stagingCell = cellOf('Staging');
    const productionCell = cellOf('Production');

    // no details until asked for
    expect(
      within(runningRow).queryByRole('list', { name: 'Running in Staging' }),
    ).not.toBeInTheDocument();
    expect(within(stagingCell).queryByText('staging-eu · payments')).toBeNull();
    // the summary: what, replicas ready, the digests the pods run, status
    expect(stagingCell).toHaveTextContent(
      // (the warning icons' titles in the text)
      `Deployment payments·Fewer replicas ready than desired2/3 ready·Pods run different digests${short(
        STAGING_DIGEST,
      )}${short(STAGING_OLD_DIGEST)}${short(ENVOY_DIGEST)}·Progressing`,
    );
    expect(
      within(stagingCell).getByTitle('Pods run different digests'),
    ).toBeInTheDocument();
    expect(productionCell).toHaveTextContent(
      /^2 resources \(Deployment, Application\)·6\/6 ready·sha256:\w{12}·Available, Synced \/ Healthy/,
    );
    expect(productionCell).toHaveTextContent(short(PROD_DIGEST));

    const toggle = within(stagingCell).getByRole('button', {
      name: 'Show details of what runs in Staging',
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(toggle).toHaveAccessibleName('Hide details of what runs in Staging');
    expect(
      document.getElementById(toggle.getAttribute('aria-controls')!),
    ).toContainElement(
      within(stagingCell).getByRole('list', { name: 'Running in Staging' }),
    );
    expect(
      within(stagingCell).getByText('staging-eu · payments'),
    ).toBeVisible();
    // production's details stay closed
    expect(
      within(productionCell).queryByRole('list', {
        name: 'Running in Production',
      }),
    ).not.toBeInTheDocument();

    await userEvent.click(toggle);
    expect(
      within(stagingCell).queryByRole('list', { name: 'Running in Staging' }),
    ).not.toBeInTheDocument();
  });

  it('collapses more than four workloads of an environment', async () => {
    render(
      new FakeEnvParityApi(async () =>
        runningReport({ extraStagingResources: 5 }),
      ),
    );
    await showDetails('Staging');
    await showDetails('Production');

    const staging = await screen.findByRole('list', {
      name: 'Running in Staging',
    });
    expect(within(staging).getAllByRole('listitem')).toHaveLength(4);
    expect(within(staging).queryByText('payments-job-5')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Show 2 more' }));

    expect(within(staging).getAllByRole('listitem')).toHaveLength(6);
    expect(within(staging).getByText('payments-job-5')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Show fewer' }),
    ).toBeInTheDocument();
    // production's two resources are never collapsed
    expect(
      within(
        screen.getByRole('list', { name: 'Running in Production' }),
      ).getAllByRole('listitem'),
    ).toHaveLength(2);
  });

  it('renders a report without resources, findings or ignored keys as before', async () => {
    render(new FakeEnvParityApi(async () => driftReport()));

    const matrix = await screen.findByRole('table', { name: 'Environments' });
    const rowHeaders = within(matrix)
      .getAllByRole('row')
      .slice(1)
      .map(r => r.firstElementChild?.textContent);
    expect(rowHeaders).toEqual([
      'Status',
      'Parity',
      'Version',
      'Revision',
      'Artifact',
      'Deployed',
      'Owner',
      'Links',
    ]);
    expect(screen.queryByRole('list', { name: /^Running in/ })).toBeNull();
    expect(screen.queryByRole('group', { name: /^Findings in/ })).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByText(/ignored as expected/)).toBeNull();
    expect(
      screen.getByRole('table', { name: 'Drift of Staging' }),
    ).toBeInTheDocument();
  });
});
