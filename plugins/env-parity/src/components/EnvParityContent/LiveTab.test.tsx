import { act, screen, waitFor } from '@testing-library/react';
import {
  computeParityReport,
  ParityReport,
} from '@env-parity/plugin-env-parity-common';
import {
  FakeEnvParityApi,
  renderContent as render,
} from '../../__testUtils__/render';
import {
  driftReport,
  ENTITY_REF,
  PROD_REVISION,
} from '../../__testUtils__/reports';
import { TestSignals } from '../../__testUtils__/signals';
import { reportSignalChannel } from './live';

const BEFORE =
  'Production runs 1.4.2 (4f1c2a9). Staging runs 1.5.0 (9e8d7c6), 3 commits ahead.';

/** Staging deployed 1.6.0 since the tab was opened. */
function deployedReport(): ParityReport {
  const now = new Date();
  const observed = now.toISOString();
  return JSON.parse(
    JSON.stringify(
      computeParityReport({
        entityRef: ENTITY_REF,
        now,
        environments: [
          {
            name: 'staging',
            title: 'Staging',
            reference: false,
            source: 'config',
          },
          {
            name: 'production',
            title: 'Production',
            reference: true,
            source: 'config',
          },
        ],
        snapshots: [
          {
            entityRef: ENTITY_REF,
            environment: 'staging',
            provider: 'github',
            deployment: { version: '1.6.0' },
            observedAt: observed,
            checkedAt: observed,
          },
          {
            entityRef: ENTITY_REF,
            environment: 'production',
            provider: 'annotations',
            deployment: { version: '1.4.2', revision: PROD_REVISION },
            observedAt: observed,
            checkedAt: observed,
          },
        ],
      }),
    ),
  );
}

/** The report the backend stores: the first read, then after the deployment. */
function changingReports() {
  const reports = [driftReport()];
  return {
    api: new FakeEnvParityApi(async () => reports[reports.length - 1]),
    deploy: () => reports.push(deployedReport()),
  };
}

describe('EnvParityContent, kept current', () => {
  it('shows the new version when the backend signals that the report changed, without a click', async () => {
    const { api, deploy } = changingReports();
    const signals = new TestSignals();
    render(api, { signals });
    expect(await screen.findByText(BEFORE, { exact: false })).toBeVisible();
    await waitFor(() =>
      expect(signals.listeners.has(reportSignalChannel(ENTITY_REF))).toBe(true),
    );
    expect(screen.queryByText('Updated just now')).not.toBeInTheDocument();

    deploy();
    act(() =>
      signals.send(reportSignalChannel(ENTITY_REF), {
        entityRef: ENTITY_REF,
        changedAt: new Date().toISOString(),
      }),
    );

    expect(
      await screen.findByText(
        'Production runs 1.4.2 (4f1c2a9). Staging runs 1.6.0, a different build. Closest to production: staging, a different build.',
      ),
    ).toBeVisible();
    expect(
      screen.queryByText(BEFORE, { exact: false }),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Updated just now');
    expect(screen.getByText('observed just now')).toBeInTheDocument();
    expect(api.getReportCalls).toEqual([ENTITY_REF, ENTITY_REF]);
    expect(api.refreshCalls).toEqual([]);
  });

  it('ignores signals of other services', async () => {
    const { api, deploy } = changingReports();
    const signals = new TestSignals();
    render(api, { signals });
    await screen.findByText(BEFORE, { exact: false });
    await waitFor(() =>
      expect(signals.listeners.has(reportSignalChannel(ENTITY_REF))).toBe(true),
    );
    deploy();
    expect(() =>
      signals.send(reportSignalChannel('component:default/other'), {}),
    ).toThrow(/nobody subscribed/);
    expect(api.getReportCalls).toEqual([ENTITY_REF]);
    expect(screen.getByText(BEFORE, { exact: false })).toBeVisible();
  });
});
