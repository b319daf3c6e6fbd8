import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeEnvParityApi, renderContent } from '../../__testUtils__/render';
import {
  driftReport,
  emptyReport,
  PROD_DIGEST,
  PROD_REVISION,
  STAGING_DIGEST,
  STAGING_REVISION,
  unannotatedEntity,
} from '../../__testUtils__/reports';

/** The card, in the Parity tab's "Reproduce" section (closed at first). */
async function card() {
  const toggle = await screen.findByRole('button', { name: 'Reproduce' });
  if (toggle.getAttribute('aria-expanded') === 'false') {
    await userEvent.click(toggle);
  }
  const title = await screen.findByText('Reproduce production');
  return title.closest('.MuiCard-root') as HTMLElement;
}

describe('Reproduce production', () => {
  it("shows production's exact artifact and revision with commands", async () => {
    renderContent(new FakeEnvParityApi(async () => driftReport()));
    const reproduce = within(await card());

    expect(reproduce.getByTestId('reproduce-artifact')).toHaveTextContent(
      `ghcr.io/acme/payments:1.4.2@${PROD_DIGEST}`,
    );
    expect(reproduce.getByTestId('reproduce-revision')).toHaveTextContent(
      PROD_REVISION,
    );
    const image = `ghcr.io/acme/payments@${PROD_DIGEST}`;
    expect(
      reproduce.getByLabelText("Pull Production's image"),
    ).toHaveTextContent(`docker pull ${image}`);
    expect(
      reproduce.getByLabelText("Run Production's image"),
    ).toHaveTextContent(`docker run --rm -it ${image}`);
    expect(
      reproduce.getByLabelText("Check out Production's revision"),
    ).toHaveTextContent(
      `git fetch origin ${PROD_REVISION} && git checkout ${PROD_REVISION}`,
    );
    expect(
      reproduce.getByLabelText("Add a worktree at Production's revision"),
    ).toHaveTextContent(
      `git worktree add ../payments-production ${PROD_REVISION}`,
    );
    expect(reproduce.getAllByRole('button', { name: /^Copy: / })).toHaveLength(
      6,
    );
    // the commit, from the GitHub source location
    expect(reproduce.getByText('Commit').closest('a')).toHaveAttribute(
      'href',
      `https://github.com/acme/payments/commit/${PROD_REVISION}`,
    );
  });

  it("lists production's own settings as a .env template, never a secret value", async () => {
    const report = driftReport();
    const production = report.environments.find(e => e.reference)!;
    // as the Kubernetes provider reports a deployment with a sidecar
    production.deployment!.config = {
      'deployment/payments.replicas': { hash: '', value: '3' },
      'deployment/payments/app.resources.requests.cpu': {
        hash: '',
        value: '500m',
      },
      'deployment/payments/istio-proxy.image': {
        hash: '',
        value: 'istio/proxyv2:1.22',
      },
      'deployment/payments/app.env.LOG_LEVEL': { hash: '', value: 'info' },
      'configmap/payments-config.LOG_LEVEL': { hash: '', value: 'info' },
      'deployment/payments/app.env.DB_PASSWORD': { hash: '', secret: true },
      'secret/payments-secrets.DB_PASSWORD': { hash: '', secret: true },
      'deployment/payments/app.env.REGION': { hash: '' },
      'helm.values.replicaCount': { hash: '' },
    };
    renderContent(new FakeEnvParityApi(async () => report));
    const element = await card();
    const reproduce = within(element);
    expect(
      within(reproduce.getByLabelText('Production configuration keys'))
        .getAllByText(/^[A-Z_]+$/)
        .map(k => k.textContent),
    ).toEqual(['DB_PASSWORD', 'LOG_LEVEL', 'REGION']);
    expect(
      reproduce.getByLabelText("Production's .env template").textContent,
    ).toBe(
      [
        '# The settings Production runs with; fill in the empty ones.',
        "# secret: use your own value, never Production's",
        'DB_PASSWORD=',
        'LOG_LEVEL=info',
        '# value not shown by the provider',
        'REGION=',
      ].join('\n'),
    );
    expect(
      reproduce.getByLabelText("Run Production's image with its settings"),
    ).toHaveTextContent(
      `docker run --rm -it --env-file .env ghcr.io/acme/payments@${PROD_DIGEST}`,
    );
    expect(
      reproduce.getByRole('button', {
        name: "Copy: Production's .env template",
      }),
    ).toBeInTheDocument();
    // the plumbing is counted, not listed as something to provide
    expect(
      reproduce.getByLabelText('Production deployment settings'),
    ).toHaveTextContent(/^Not listed: 4 deployment settings/);
    expect(element.textContent).not.toContain('deployment/payments.replicas');
    expect(element.textContent).not.toContain('istio');
  });

  it('never shows a secret value, nor a hash', async () => {
    renderContent(new FakeEnvParityApi(async () => driftReport()));
    const element = await card();
    expect(element.textContent).not.toContain('h-info');
    expect(element.textContent).not.toContain('h-secret');
    expect(
      within(element).getByLabelText("Production's .env template"),
    ).toHaveTextContent(/DB_PASSWORD=\s*LOG_LEVEL=info$/);
  });

  it('has the same for each other environment, collapsed', async () => {
    renderContent(new FakeEnvParityApi(async () => driftReport()));
    const reproduce = within(await card());
    expect(
      reproduce.queryByLabelText("Pull Staging's image"),
    ).not.toBeInTheDocument();
    await userEvent.click(reproduce.getByText('Staging — 1.5.0'));
    expect(
      await reproduce.findByLabelText("Pull Staging's image"),
    ).toHaveTextContent(`docker pull ghcr.io/acme/payments@${STAGING_DIGEST}`);
    expect(
      reproduce.getByLabelText("Add a worktree at Staging's revision"),
    ).toHaveTextContent(
      `git worktree add ../payments-staging ${STAGING_REVISION}`,
    );
    expect(
      within(reproduce.getByLabelText('Staging configuration keys'))
        .getAllByText(/^[A-Z_]+$/)
        .map(k => k.textContent),
    ).toEqual(['DB_PASSWORD', 'FEATURE_NEW_CHECKOUT', 'LOG_LEVEL']);
  });

  it('offers to launch a replica only when a template is configured', async () => {
    renderContent(new FakeEnvParityApi(async () => driftReport()), {
      config: {
        envParity: { reproduce: { scaffolderTemplate: 'production-replica' } },
      },
    });
    const reproduce = within(await card());
    const link = reproduce
      .getByText('Launch a production replica')
      .closest('a')!;
    const url = new URL(link.getAttribute('href')!, 'http://backstage.test');
    expect(url.pathname).toBe('/create/templates/default/production-replica');
    expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
      entityRef: 'component:default/payments',
      environment: 'production',
      artifact: `ghcr.io/acme/payments:1.4.2@${PROD_DIGEST}`,
      image: `ghcr.io/acme/payments@${PROD_DIGEST}`,
      revision: PROD_REVISION,
      version: '1.4.2',
    });
  });

  it('names the template link apart from the launch where replicas are enabled', async () => {
    const api = new FakeEnvParityApi(async () => driftReport());
    api.replica.settings.enabled = true;
    renderContent(api, {
      config: {
        envParity: { reproduce: { scaffolderTemplate: 'production-replica' } },
      },
    });
    const reproduce = within(await card());
    expect(
      await reproduce.findByRole('button', {
        name: 'Launch a production replica',
      }),
    ).toBeInTheDocument();
    expect(
      reproduce.getByText('Open the replica template').closest('a'),
    ).toHaveAttribute(
      'href',
      expect.stringContaining('/create/templates/default/production-replica'),
    );
    expect(
      reproduce.queryByRole('link', { name: 'Launch a production replica' }),
    ).toBeNull();
  });

  it('has no launch link without the template', async () => {
    renderContent(new FakeEnvParityApi(async () => driftReport()));
    const reproduce = within(await card());
    expect(
      reproduce.queryByText('Launch a production replica'),
    ).not.toBeInTheDocument();
  });

  it('is not shown when production has no deployment', async () => {
    renderContent(new FakeEnvParityApi(async () => emptyReport()), {
      entity: unannotatedEntity,
    });
    expect(
      await screen.findByText('No deployment data for this component yet'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Reproduce production')).not.toBeInTheDocument();
  });
});
