import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { envParityApiRef } from '../../api';
import { entityRoutes, FakeEnvParityApi } from '../../__testUtils__/render';
import { probedEntity } from '../../__testUtils__/probes';
import { driftReport } from '../../__testUtils__/reports';
import { EnvParityContent } from './EnvParityContent';
import { SECTIONS_BUCKET, SECTIONS_KEY } from './sections';

/**
 * The Parity tab of a service with URLs (so that it can be probed) at a URL,
 * with a StorageApi the test keeps.
 */
function renderAt(
  url: string,
  storage = mockApis.storage(),
  options: { denied?: string[] } = {},
) {
  const rendered = renderInTestApp(
    <EntityProvider entity={probedEntity}>
      <EnvParityContent />
    </EntityProvider>,
    {
      apis: [
        [envParityApiRef, new FakeEnvParityApi(async () => driftReport())],
        mockApis.permission({
          authorize: request =>
            (options.denied ?? []).includes(request.permission.name)
              ? ('DENY' as any)
              : ('ALLOW' as any),
        }),
        storage,
      ],
      mountedRoutes: entityRoutes,
      initialRouteEntries: [url],
    },
  );
  return { ...rendered, storage };
}

const toggle = (name: string) => screen.findByRole('button', { name });

async function expectOpen(name: string, open: boolean) {
  const button = await toggle(name);
  await waitFor(() =>
    expect(button).toHaveAttribute('aria-expanded', String(open)),
  );
  const region = document.getElementById(button.getAttribute('aria-controls')!);
  expect(region).toHaveAttribute('role', 'region');
  if (open) {
    expect(region).toBeVisible();
  } else {
    expect(region).not.toBeVisible();
  }
  return region!;
}

describe('EnvParityContent: sections', () => {
  const scrollIntoView = jest.fn();
  beforeEach(() => {
    scrollIntoView.mockClear();
    // jsdom lays nothing out, so it cannot scroll
    Element.prototype.scrollIntoView = scrollIntoView;
  });

  it('shows the summary and the matrix, drift and access open, compare and reproduce closed', async () => {
    renderAt('/');

    expect(
      await screen.findByRole('table', { name: 'Environments' }),
    ).toBeVisible();
    const drift = await expectOpen('Drift', true);
    expect(
      within(drift).getByRole('region', {
        name: 'Staging compared with Production',
      }),
    ).toBeVisible();
    await expectOpen('Compare', false);
    const reproduce = await expectOpen('Reproduce', false);
    // closed, but mounted: what it holds keeps its state
    expect(
      within(reproduce).getByText('Reproduce production'),
    ).not.toBeVisible();

    // each section a heading, in a navigation under the summary
    expect(
      screen.getByRole('heading', { level: 2, name: 'Compare' }),
    ).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Parity sections' });
    const links = within(nav).getAllByRole('link');
    expect(links.map(l => l.textContent)).toEqual([
      'Drift',
      'Compare',
      'Reproduce',
      'Access',
    ]);
    expect(within(nav).getByRole('link', { name: 'Compare' })).toHaveAttribute(
      'href',
      expect.stringMatching(/#compare$/),
    );
    expect(scrollIntoView).not.toHaveBeenCalled();
  });

  it('opens and scrolls to the section a deep link names', async () => {
    renderAt('/#compare');

    const compare = await expectOpen('Compare', true);
    expect(
      within(compare).getByRole('form', { name: 'Probe' }),
    ).toBeInTheDocument();
    await waitFor(() => expect(scrollIntoView).toHaveBeenCalled());
    expect(scrollIntoView.mock.instances[0]).toBe(
      document.getElementById('compare'),
    );
    await expectOpen('Reproduce', false);
  });

  it('opens a section from the navigation, as a link to it', async () => {
    renderAt('/');

    await expectOpen('Reproduce', false);
    await userEvent.click(
      within(
        screen.getByRole('navigation', { name: 'Parity sections' }),
      ).getByRole('link', { name: 'Reproduce' }),
    );
    await expectOpen('Reproduce', true);
    await waitFor(() =>
      expect(scrollIntoView.mock.instances).toContain(
        document.getElementById('reproduce'),
      ),
    );
  });

  it("remembers each user's choice: closed stays closed, opened stays open", async () => {
    const first = renderAt('/');
    await userEvent.click(await toggle('Drift'));
    await expectOpen('Drift', false);
    await userEvent.click(await toggle('Reproduce'));
    await expectOpen('Reproduce', true);
    expect(
      first.storage.forBucket(SECTIONS_BUCKET).snapshot(SECTIONS_KEY).value,
    ).toEqual({ drift: false, reproduce: true });
    first.unmount();

    // the next visit
    renderAt('/', first.storage);
    await expectOpen('Drift', false);
    await expectOpen('Reproduce', true);
    await expectOpen('Compare', false);
  });

  it('does not remember a section a link opened, until the user chooses', async () => {
    const first = renderAt('/#compare');
    await expectOpen('Compare', true);
    expect(
      first.storage.forBucket(SECTIONS_BUCKET).snapshot(SECTIONS_KEY).value,
    ).toBeUndefined();
    // closing it is a choice
    await userEvent.click(await toggle('Compare'));
    await expectOpen('Compare', false);
    expect(
      first.storage.forBucket(SECTIONS_BUCKET).snapshot(SECTIONS_KEY).value,
    ).toEqual({ compare: false });
  });
});
