import {
  act,
  configure,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import {
  EnvironmentDefinition,
  ParityReport,
  replicaEnvironmentName,
} from '@env-parity/plugin-env-parity-common';
import {
  ENTITY_REF,
  runningReport,
  STAGING_ARTIFACT,
} from '../../__testUtils__/reports';
import { renderReplicaTab, replicaApi } from './__testUtils__';
import { clockTime } from './format';
import { REPLICA_POLL_MS } from './useServiceReplicas';

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5000 });

const TAB = '/catalog/default/component/payments/parity';

/**
 * The report with one more environment, a replica's copy of production's
 * row, as the backend adds an active replica; `described` adds what the
 * report says of the replica (`source`, `replica`).
 */
function withReplica(
  report: ParityReport,
  id: string,
  replica?: EnvironmentDefinition['replica'],
): ParityReport {
  const production = report.environments.find(e => e.reference)!;
  const name = replicaEnvironmentName(id);
  return {
    ...report,
    environments: [
      ...report.environments,
      {
        ...production,
        name,
        title: "Replica of production (guest's)",
        reference: false,
        ...(replica && { source: 'replica' as const, replica }),
      },
    ],
  };
}

/** The column header of the environment titled `title`. */
async function columnOf(title: string) {
  const matrix = await screen.findByRole('table', { name: 'Environments' });
  const header = await within(matrix).findByText(title);
  return header.closest('th') as HTMLElement;
}

/** The replica chip in a column header. */
function chipIn(column: HTMLElement) {
  const chip = column.querySelector<HTMLElement>('[data-replica-environment]');
  expect(chip).not.toBeNull();
  return chip!;
}

describe("A replica's environment on the Parity tab", () => {
  it('is labelled as a replica, whose and until when, with the one image it changes', async () => {
    const id = '1a2b3c4d-0000-4000-8000-000000000001';
    const expiresAt = new Date(Date.now() + 2 * 3600_000).toISOString();
    const api = replicaApi(() =>
      withReplica(runningReport(), id, {
        id,
        requester: 'user:default/jane',
        expiresAt,
        override: { workload: 'payments', image: STAGING_ARTIFACT },
      }),
    );
    renderReplicaTab(api, { route: TAB });
    const column = await columnOf("Replica of production (guest's)");
    const chip = chipIn(column);
    expect(chip).toHaveTextContent(
      `Replica · jane's · expires ${clockTime(expiresAt)}`,
    );
    // on two lines, so that it fits a narrow column rather than clipping
    expect(within(chip).getByText("Replica · jane's")).toBeInTheDocument();
    expect(
      within(chip).getByText(`expires ${clockTime(expiresAt)}`),
    ).toBeInTheDocument();
    expect(column).toHaveTextContent(
      `Differs from production in exactly one image: payments runs ${STAGING_ARTIFACT}`,
    );
    // the ordinary environments have no such label
    expect(
      (await columnOf('Staging')).querySelector('[data-replica-environment]'),
    ).toBeNull();
    expect(
      (await columnOf('Production')).querySelector(
        '[data-replica-environment]',
      ),
    ).toBeNull();
  });

  it("appears once the user's replica is ready, labelled from the user's replicas", async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      let ready = false;
      let replicaId = '';
      const api = replicaApi(() =>
        ready ? withReplica(runningReport(), replicaId) : runningReport(),
      );
      const seeded = api.replica.seed({ entityRef: ENTITY_REF });
      replicaId = seeded.id;
      renderReplicaTab(api, { route: TAB });
      const matrix = await screen.findByRole('table', { name: 'Environments' });
      await waitFor(() =>
        expect(api.replica.callsOf('listReplicas').length).toBeGreaterThan(0),
      );
      expect(matrix.querySelector('[data-replica-environment]')).toBeNull();
      const reads = api.getReportCalls.length;

      api.replica.advance(seeded.id, 'ready');
      ready = true;
      await act(async () => {
        jest.advanceTimersByTime(REPLICA_POLL_MS);
      });
      // the replica became ready: the report is read again, with its row
      await waitFor(() =>
        expect(api.getReportCalls.length).toBeGreaterThan(reads),
      );
      const column = await columnOf("Replica of production (guest's)");
      expect(chipIn(column)).toHaveTextContent(
        `Replica · guest's · expires ${clockTime(seeded.expiresAt)}`,
      );
    } finally {
      jest.useRealTimers();
    }
  });
});
