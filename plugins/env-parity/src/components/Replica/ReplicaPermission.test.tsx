import { configure, screen, waitFor, within } from '@testing-library/react';
import { renderReplicaTab, replicaApi } from './__testUtils__';

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5000 });

// its own file: usePermission's cache outlives a test, and would carry this
// denial into (or an earlier allowance into) the other tests of a file

describe('Production replicas without env-parity.replica.create', () => {
  it('disables the launch and says why, in the one wording', async () => {
    Element.prototype.scrollIntoView = jest.fn();
    const api = replicaApi();
    renderReplicaTab(api, { denied: ['env-parity.replica.create'] });
    const region = await screen.findByRole('region', {
      name: 'Production replicas',
    });
    const why =
      'You are not allowed to launch a replica of payments: this needs the permission env-parity.replica.create.';
    expect(await within(region).findByText(why)).toBeInTheDocument();
    const button = within(region).getByRole('button', {
      name: 'Launch a production replica',
    });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription(why);
    // the user's own replicas are still listed
    await waitFor(() =>
      expect(api.replica.callsOf('listReplicas')).toHaveLength(1),
    );
    expect(api.replica.callsOf('launchReplica')).toHaveLength(0);
  });
});
