import { configure, screen, waitFor, within } from '@testing-library/react';
import { alignApi, renderTab } from './__testUtils__';

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5000 });

// its own file: usePermission's cache outlives a test, and would carry this
// denial into (or an earlier allowance into) the other tests of a file

describe('AlignSection without env-parity.align.create', () => {
  it('offers no alignment, says why in the one wording, and asks for no preview', async () => {
    const api = alignApi();
    const mine = api.align.seed({ entityRef: 'component:default/payments' });
    api.align.advance(mine.id, 'cancelled');
    renderTab(api, { denied: ['env-parity.align.create'] });
    const staging = await screen.findByRole('region', {
      name: 'Staging alignment',
    });
    expect(
      await within(staging).findByText(
        'You are not allowed to align payments: this needs the permission env-parity.align.create.',
      ),
    ).toBeInTheDocument();
    expect(
      within(staging).queryByRole('button', { name: /^Align/ }),
    ).toBeNull();
    await waitFor(() =>
      expect(api.align.callsOf('listAlignments')).toHaveLength(1),
    );
    expect(api.align.callsOf('previewAlignment')).toHaveLength(0);
  });
});
