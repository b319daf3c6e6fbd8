import { configure, screen, waitFor } from '@testing-library/react';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { paymentsEntity } from '../../__testUtils__/reports';
import { EnvParityContent } from '../EnvParityContent';
import { AccessPage } from './AccessPage';
import { accessApi, accessError, renderAccess } from './__testUtils__';

// usePermission caches decisions by permission name across renders, so the
// denials live in a file of their own
jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5000 });

describe('access without permissions', () => {
  it('hides the request button on the Parity tab without env-parity.access.create', async () => {
    const api = accessApi();
    renderAccess(
      <EntityProvider entity={paymentsEntity}>
        <EnvParityContent />
      </EntityProvider>,
      { api, denied: ['env-parity.access.create'] },
    );
    await screen.findByText('Parity with Production');
    await waitFor(() =>
      expect(api.access.callsOf('listAccessRequests')).toHaveLength(1),
    );
    expect(
      screen.queryByRole('button', { name: 'Request read-only access' }),
    ).not.toBeInTheDocument();
    expect(screen.queryByText('Read-only access')).not.toBeInTheDocument();
  });

  it('leaves out the review list without env-parity.access.review', async () => {
    const api = accessApi();
    renderAccess(<AccessPage />, {
      api,
      denied: ['env-parity.access.review'],
      mountPath: '/env-parity/access/*',
      initialRouteEntries: ['/env-parity/access'],
    });
    expect(
      await screen.findByRole('tab', { name: /^My requests/ }),
    ).toHaveAttribute('aria-selected', 'true');
    expect(
      screen.queryByRole('tab', { name: /Waiting for my review/ }),
    ).not.toBeInTheDocument();
    expect(
      api.access.callsOf('listAccessRequests').map(([f]) => f),
    ).not.toContainEqual(expect.objectContaining({ reviewable: true }));
  });

  it('says which permission is missing, in one wording', async () => {
    const api = accessApi();
    api.access.failNext(
      'listAccessRequests',
      await accessError(
        403,
        'NotAllowedError',
        'You are not allowed to see access requests: this needs one of the permissions env-parity.access.create, env-parity.access.review or env-parity.access.admin.',
      ),
    );
    renderAccess(<AccessPage />, {
      api,
      denied: ['env-parity.access.review'],
      mountPath: '/env-parity/access/*',
      initialRouteEntries: ['/env-parity/access'],
    });
    const alert = await screen.findByText(
      'You are not allowed to see access requests: this needs one of the permissions env-parity.access.create, env-parity.access.review or env-parity.access.admin.',
    );
    expect(alert.parentElement).toHaveTextContent(
      'Ask your Backstage administrator to grant it.',
    );
    expect(screen.queryByText(/may not/)).not.toBeInTheDocument();
  });
});
