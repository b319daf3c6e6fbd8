import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { rowsOf } from '../../__testUtils__/queue';
import { AlignmentsPage } from './AlignmentsPage';
import { alignApi, renderAlign } from './__testUtils__';

jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5000 });

// its own file: usePermission's cache outlives a test, and the reviewer's
// permission of the other page tests would show here

const CHECKOUT = 'component:default/checkout-web';

describe('AlignmentsPage for a requester', () => {
  it('lets the requester cancel their own pending alignment', async () => {
    const api = alignApi();
    api.align.user = 'user:default/bob';
    const mine = api.align.seed({ entityRef: CHECKOUT });
    renderAlign(<AlignmentsPage />, {
      api,
      mountPath: '/env-parity/alignments/*',
      initialRouteEntries: ['/env-parity/alignments'],
    });
    // without the review permission, my alignments come first
    const table = await screen.findByRole('tabpanel', {
      name: 'My alignments',
    });
    expect(screen.queryByRole('tab', { name: /^Waiting/ })).toBeNull();
    await waitFor(() => expect(rowsOf(table)).toHaveLength(1));
    const [row] = rowsOf(table);
    expect(within(row).queryByRole('button', { name: /^Approve/ })).toBeNull();
    await userEvent.click(
      within(row).getByRole('button', {
        name: `Cancel aligning staging of ${CHECKOUT}`,
      }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Cancel alignment',
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel alignment' }),
    );
    expect(
      await screen.findByText(
        'Aligning staging of checkout-web with production is now cancelled.',
      ),
    ).toBeInTheDocument();
    expect(api.align.callsOf('decideAlignment')).toEqual([
      [mine.id, 'cancel', undefined],
    ]);
  });
});
