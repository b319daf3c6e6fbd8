import { ReactElement } from 'react';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderQueue } from '../../../__testUtils__/queue';
import { FakeEnvParityApi } from '../../../__testUtils__/render';
import { driftReport, paymentsEntity } from '../../../__testUtils__/reports';
import { EnvParityContent } from '../../EnvParityContent';
import { alignmentsRouteRef } from '../routes';

/** The env-parity API with an in-memory alignment backend, staging alignable. */
export function alignApi() {
  const api = new FakeEnvParityApi(async () => driftReport());
  api.align.configured = true;
  return api;
}

/**
 * Renders an alignment component in a new-frontend-system test app, signed
 * in as the fake's user, with the alignments page mounted at
 * `/env-parity/alignments`.
 */
export function renderAlign(
  element: ReactElement,
  options: {
    api: FakeEnvParityApi;
    /**
     * Permission names the policy denies; besides, review and admin are
     * denied unless the fake backend lets its user review or administer.
     */
    denied?: string[];
    mountPath?: string;
    initialRouteEntries?: string[];
    /** Whether the app has an alignments page (default true). */
    withPage?: boolean;
  },
) {
  const denied = [
    ...(options.denied ?? []),
    ...(options.api.align.canReview ? [] : ['env-parity.align.review']),
    ...(options.api.align.canAdmin ? [] : ['env-parity.align.admin']),
  ];
  return renderQueue(element, {
    api: options.api,
    denied,
    user: options.api.align.user,
    page:
      options.withPage === false
        ? undefined
        : ['/env-parity/alignments', alignmentsRouteRef],
    mountPath: options.mountPath,
    initialRouteEntries: options.initialRouteEntries,
  });
}

/**
 * The Parity tab of payments, with the alignment backend of `api`, at
 * `#align` (the Align section is closed by default; the link opens it).
 */
export function renderTab(
  api = alignApi(),
  options: { denied?: string[]; route?: string; withPage?: boolean } = {},
) {
  renderAlign(
    <EntityProvider entity={paymentsEntity}>
      <EnvParityContent />
    </EntityProvider>,
    {
      api,
      denied: options.denied,
      withPage: options.withPage,
      mountPath: '/catalog/:namespace/:kind/:name/parity',
      initialRouteEntries: [
        options.route ?? '/catalog/default/component/payments/parity#align',
      ],
    },
  );
  return api;
}
