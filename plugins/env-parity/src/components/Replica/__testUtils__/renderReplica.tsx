import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { renderQueue } from '../../../__testUtils__/queue';
import { FakeEnvParityApi } from '../../../__testUtils__/render';
import { paymentsEntity, runningReport } from '../../../__testUtils__/reports';
import { EnvParityContent } from '../../EnvParityContent';

/**
 * The env-parity API with an in-memory replica backend, enabled, and a
 * report whose production runs the Deployment `payments` (Kubernetes).
 */
export function replicaApi(report: () => ParityReport = () => runningReport()) {
  const api = new FakeEnvParityApi(async () => report());
  api.replica.settings.enabled = true;
  return api;
}

/**
 * The Parity tab of payments, signed in as the fake's user, at
 * `#reproduce` (the section is closed by default; the link opens it).
 */
export function renderReplicaTab(
  api = replicaApi(),
  options: { denied?: string[]; route?: string } = {},
) {
  renderQueue(
    <EntityProvider entity={paymentsEntity}>
      <EnvParityContent />
    </EntityProvider>,
    {
      api,
      denied: options.denied ?? [],
      user: api.replica.user,
      mountPath: '/catalog/:namespace/:kind/:name/parity',
      initialRouteEntries: [
        options.route ?? '/catalog/default/component/payments/parity#reproduce',
      ],
    },
  );
  return api;
}
