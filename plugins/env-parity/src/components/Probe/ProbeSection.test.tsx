import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import Grid from '@material-ui/core/Grid';
import {
  backstageError,
  FakeEnvParityApi,
  renderContent,
} from '../../__testUtils__/render';
import { envParityApiRef } from '../../api';
import { ProbeSection } from './ProbeSection';
import { driftReport } from '../../__testUtils__/reports';
import {
  probedEntity,
  probeResult,
  productionAnswer,
  stagingAnswer,
} from '../../__testUtils__/probes';

// the section alone, as the Parity tab places it (wherever the tab's
// layout puts it, open or closed)
function setUp() {
  const api = new FakeEnvParityApi(async () => driftReport());
  renderInTestApp(
    <Grid container>
      <ProbeSection entity={probedEntity} report={driftReport()} />
    </Grid>,
    { apis: [[envParityApiRef, api], mockApis.permission()] },
  );
  return api;
}

async function runProbe(path: string) {
  const input = await screen.findByRole('textbox', { name: 'Path' });
  await userEvent.clear(input);
  await userEvent.type(input, path);
  await userEvent.click(screen.getByRole('button', { name: 'Run' }));
}

jest.setTimeout(30_000);

beforeEach(() => window.sessionStorage.clear());

describe('Compare an endpoint', () => {
  it('asks every environment with a URL by default and shows the answers side by side', async () => {
    const api = setUp();
    api.probeImpl = async () => probeResult();

    expect(await screen.findByText('Compare an endpoint')).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Staging' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Production' })).toBeChecked();
    expect(screen.getByRole('combobox', { name: 'Method' })).toHaveValue('GET');

    await runProbe('/api/config');

    expect(api.probeCalls).toEqual([
      {
        entityRef: 'component:default/payments',
        request: {
          path: '/api/config',
          method: 'GET',
          environments: ['staging', 'production'],
        },
      },
    ]);

    const staging = await screen.findByRole('region', {
      name: 'Staging answer',
    });
    const production = screen.getByRole('region', {
      name: 'Production answer',
    });
    // side by side, the reference (production) first, though the answers
    // come in promotion order
    expect(
      production.compareDocumentPosition(staging) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(within(staging).getByText('200 OK')).toBeInTheDocument();
    expect(within(staging).getByText('12 ms')).toBeInTheDocument();
    expect(within(production).getByText('48 ms')).toBeInTheDocument();
    expect(within(production).getByText('reference')).toBeInTheDocument();

    // what differs from production, listed ...
    const differences = within(staging).getByRole('list', {
      name: 'Differences from Production',
    });
    expect(
      within(differences)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      'header x-version: 1.4.2 → 1.5.0',
      '$.version: "1.4.2" → "1.5.0"',
      '$.features.newCheckout: false → true',
    ]);
    expect(
      within(production).queryByRole('list', {
        name: 'Differences from Production',
      }),
    ).not.toBeInTheDocument();

    // ... and highlighted: the header row and the body lines
    const stagingHeaders = within(staging).getByRole('table', {
      name: 'Staging headers',
    });
    expect(
      within(stagingHeaders).getByText('x-version').closest('tr'),
    ).toHaveAttribute('data-differs', 'true');
    // said in words too, not by colour alone
    expect(
      within(stagingHeaders).getByText('x-version').closest('tr'),
    ).toHaveTextContent('x-versiondiffers1.5.0');
    expect(
      within(stagingHeaders).getByText('content-type').closest('tr'),
    ).not.toHaveAttribute('data-differs');
    // redacted headers show as such
    expect(within(stagingHeaders).getByText('[redacted]')).toBeInTheDocument();

    const body = within(staging).getByLabelText('Staging body');
    const highlighted = Array.from(
      body.querySelectorAll('[data-differs="true"]'),
    ).map(line => line.textContent?.trim());
    expect(highlighted).toEqual([
      '"version": "1.5.0",',
      '"newCheckout": true,',
    ]);
    // pretty-printed JSON
    expect(within(body).getByText('"darkMode": true')).toBeInTheDocument();
    const productionBody = within(production).getByLabelText('Production body');
    expect(
      productionBody.querySelectorAll('[data-differs="true"]'),
    ).toHaveLength(0);
    expect(
      within(staging).getByText(
        '≠ marks the lines that differ from Production',
      ),
    ).toBeInTheDocument();
  });

  it('lists differences in fields expected to differ as ignored, and notes entries it cannot apply', async () => {
    const api = setUp();
    const info = (time: string) => {
      const body = JSON.stringify({
        build: { version: '2.14.3', time },
        git: { commit: 'ef4e9bd' },
      });
      return { bodyType: 'json' as const, body, bodyBytes: body.length };
    };
    const headers = { 'content-type': 'application/json' };
    api.probeImpl = async () =>
      probeResult(
        {
          path: '/version',
          ignore: {
            fields: ['$.build.time'],
            invalid: [
              {
                entry: 'build..time',
                source: 'annotation',
                message:
                  'neither a JSON path (e.g. $.build.time) nor a header name',
              },
            ],
          },
        },
        [
          stagingAnswer({ headers, ...info('2026-11-09T11:30:02Z') }),
          productionAnswer({ headers, ...info('2026-11-10T14:47:51Z') }),
        ],
      );
    await runProbe('/version');

    const staging = await screen.findByRole('region', {
      name: 'Staging answer',
    });
    // the same build: the build time alone differs, and is expected to
    expect(within(staging).getByText('Same as Production')).toBeInTheDocument();
    expect(
      within(staging).getByText('1 difference ignored (expected to differ):'),
    ).toBeInTheDocument();
    const ignored = within(staging).getByRole('list', {
      name: 'Ignored differences from Production',
    });
    expect(
      within(ignored)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      '$.build.time: "2026-11-10T14:47:51Z" → "2026-11-09T11:30:02Z"',
    ]);
    expect(
      within(staging).getByText(/env-parity\/probe-ignore; not counted/),
    ).toBeInTheDocument();
    // nor highlighted in the body
    const body = within(staging).getByLabelText('Staging body');
    expect(body).toHaveTextContent('"time": "2026-11-09T11:30:02Z"');
    expect(body.querySelectorAll('[data-differs="true"]')).toHaveLength(0);

    // the entry that is not a JSON path is named, not applied
    const notes = screen.getByRole('list', {
      name: 'Ignore entries not applied',
    });
    expect(notes).toHaveTextContent(
      'build..time (annotation env-parity/probe-ignore): neither a JSON path (e.g. $.build.time) nor a header name',
    );
  });

  it('counts the build time as a difference when no field is expected to differ', async () => {
    const api = setUp();
    const info = (time: string) => {
      const body = JSON.stringify({ build: { version: '2.14.3', time } });
      return { bodyType: 'json' as const, body, bodyBytes: body.length };
    };
    const headers = { 'content-type': 'application/json' };
    api.probeImpl = async () =>
      probeResult({ path: '/version' }, [
        stagingAnswer({ headers, ...info('2026-11-09T11:30:02Z') }),
        productionAnswer({ headers, ...info('2026-11-10T14:47:51Z') }),
      ]);
    await runProbe('/version');
    const staging = await screen.findByRole('region', {
      name: 'Staging answer',
    });
    expect(
      within(staging).getByText('Differs from Production'),
    ).toBeInTheDocument();
    expect(within(staging).queryByTestId('probe-ignored')).toBeNull();
  });

  it('says when an environment answers the same as production', async () => {
    const api = setUp();
    api.probeImpl = async () =>
      probeResult({}, [
        stagingAnswer({
          headers: productionAnswer().headers,
          body: productionAnswer().body,
        }),
        productionAnswer(),
      ]);
    await runProbe('/api/config');
    const staging = await screen.findByRole('region', {
      name: 'Staging answer',
    });
    expect(within(staging).getByText('Same as Production')).toBeInTheDocument();
  });

  it('sends HEAD and only the environments left checked', async () => {
    const api = setUp();
    api.probeImpl = async request =>
      probeResult({ method: request.method, path: request.path }, [
        stagingAnswer({ bodyType: 'none', body: undefined }),
      ]);
    await screen.findByText('Compare an endpoint');
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Method' }),
      'HEAD',
    );
    await userEvent.click(screen.getByRole('checkbox', { name: 'Production' }));
    await runProbe('/health');

    expect(api.probeCalls[0].request).toEqual({
      path: '/health',
      method: 'HEAD',
      environments: ['staging'],
    });
    const staging = await screen.findByRole('region', {
      name: 'Staging answer',
    });
    expect(within(staging).getByText('No body')).toBeInTheDocument();
    expect(
      screen.getByText(/include the reference environment/),
    ).toBeInTheDocument();
  });

  it('cannot run without a path or an environment', async () => {
    setUp();
    const input = await screen.findByRole('textbox', { name: 'Path' });
    await userEvent.clear(input);
    expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled();
    await userEvent.type(input, '/version');
    expect(screen.getByRole('button', { name: 'Run' })).toBeEnabled();
    await userEvent.click(screen.getByRole('checkbox', { name: 'Staging' }));
    await userEvent.click(screen.getByRole('checkbox', { name: 'Production' }));
    expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled();
  });

  it("shows an environment's failure next to the others' answers", async () => {
    const api = setUp();
    api.probeImpl = async () =>
      probeResult({}, [
        stagingAnswer({
          status: 302,
          statusText: 'Found',
          bodyType: 'none',
          body: undefined,
          redirect: {
            location: 'http://169.254.169.254/latest/',
            sameOrigin: false,
          },
        }),
        productionAnswer({
          status: undefined,
          statusText: undefined,
          latencyMs: undefined,
          headers: undefined,
          bodyType: undefined,
          body: undefined,
          error: {
            reason: 'timeout',
            message:
              'GET https://payments.example.com/api/config timed out after 5000 ms (envParity.probe.timeout)',
          },
        }),
      ]);
    await runProbe('/api/config');
    const production = await screen.findByRole('region', {
      name: 'Production answer',
    });
    expect(within(production).getByText('timed out')).toBeInTheDocument();
    expect(
      within(production).getByText(/timed out after 5000 ms/),
    ).toBeInTheDocument();
    const staging = screen.getByRole('region', { name: 'Staging answer' });
    expect(within(staging).getByText('302 Found')).toBeInTheDocument();
    expect(within(staging).getByText(/another host/)).toBeInTheDocument();
    expect(within(staging).getByText(/not followed/)).toBeInTheDocument();
  });

  it('shows why the backend refused a probe', async () => {
    const api = setUp();
    api.probeImpl = async () => {
      throw await backstageError(
        429,
        'TooManyRequestsError',
        'Too many probes; try again in 30 s',
      );
    };
    await runProbe('/version');
    expect(
      await screen.findByText(
        'Probe failed: Too many probes; try again in 30 s',
      ),
    ).toBeInTheDocument();
  });

  it('keeps recent probes listed for the session', async () => {
    const api = setUp();
    const first = probeResult({ path: '/api/config' });
    const second = probeResult({ path: '/health' }, [
      stagingAnswer({ body: '{"status":"UP"}' }),
      productionAnswer({ body: '{"status":"DOWN"}' }),
    ]);
    const answers = [first, second];
    api.probeImpl = async () => answers.shift()!;

    await runProbe('/api/config');
    await screen.findByRole('region', { name: 'Staging answer' });
    await runProbe('/health');
    await waitFor(() =>
      expect(
        within(
          screen.getByRole('list', { name: 'Differences from Production' }),
        ).getByText('$.status: "DOWN" → "UP"'),
      ).toBeInTheDocument(),
    );

    const recent = screen.getByRole('list', { name: 'Recent probes' });
    const items = within(recent).getAllByRole('button');
    expect(items.map(i => i.textContent)).toEqual([
      expect.stringContaining('GET /health'),
      expect.stringContaining('GET /api/config'),
    ]);
    expect(items[1].textContent).toContain('Staging 200 · Production 200');
    // a list of items, each holding its button (no button as a list's child)
    expect(
      Array.from(recent.children).map(child => child.tagName.toLowerCase()),
    ).toEqual(['li', 'li']);
    // which one is shown, said in words too
    expect(items[0]).toHaveAttribute('aria-current', 'true');
    expect(items[0].textContent).toContain('(shown above)');

    // an older probe can be shown again
    await userEvent.click(items[1]);
    expect(
      await screen.findByText('$.features.newCheckout: false → true'),
    ).toBeInTheDocument();

    // and it is in the session's storage
    expect(
      JSON.parse(
        window.sessionStorage.getItem(
          'env-parity:probes:component:default/payments',
        )!,
      ).map((p: { path: string }) => p.path),
    ).toEqual(['/health', '/api/config']);
  });

  it('is not shown for an entity without environment URLs', async () => {
    renderContent(new FakeEnvParityApi(async () => driftReport()));
    expect(await screen.findByText('Reproduce production')).toBeInTheDocument();
    expect(screen.queryByText('Compare an endpoint')).not.toBeInTheDocument();
  });
});
