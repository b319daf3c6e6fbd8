import { ReactElement } from 'react';
import { useLocation } from 'react-router-dom';
import { Entity } from '@backstage/catalog-model';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { configure, screen } from '@testing-library/react';
import { envParityApiRef } from '../../../api';
import { entityRoutes, FakeEnvParityApi } from '../../../__testUtils__/render';
import { GroupParityCard } from '../../GroupParityCard';
import { ScorecardContent } from '../ScorecardPage';
import { rootRouteRef } from '../routes';
import { FakeScorecardApi } from './FakeScorecardApi';

// Every findBy and waitFor of the scorecard tests waits for its condition up
// to 15 s rather than 1 s: full renders of the page are slow in jsdom, and
// slower still when the machine is busy; a condition met early ends the wait.
configure({ asyncUtilTimeout: 15_000 });

/** Shows where the app is, so that tests can check the URL. */
function CurrentLocation() {
  const location = useLocation();
  return (
    <output data-testid="location">{`${location.pathname}${location.search}`}</output>
  );
}

/** The current location, with the query string decoded. */
export function currentLocation(): string {
  return decodeURIComponent(screen.getByTestId('location').textContent ?? '');
}

/** The current query string's parameters. */
export function currentParams(): URLSearchParams {
  const text = screen.getByTestId('location').textContent ?? '';
  return new URLSearchParams(text.split('?')[1] ?? '');
}

/** An EnvParityApi whose scorecard methods are served by `scorecard`. */
export function envParityApiWith(scorecard: FakeScorecardApi) {
  const api = new FakeEnvParityApi(async () => {
    throw new Error('reports are not faked in scorecard tests');
  });
  api.scorecard = scorecard;
  return api;
}

function render(
  element: ReactElement,
  scorecard: FakeScorecardApi,
  path: string,
) {
  return renderInTestApp(
    <>
      {element}
      <CurrentLocation />
    </>,
    {
      apis: [
        [envParityApiRef, envParityApiWith(scorecard)],
        mockApis.permission(),
      ],
      mountedRoutes: {
        '/env-parity': convertLegacyRouteRef(rootRouteRef),
        ...entityRoutes,
      },
      initialRouteEntries: [path],
    },
  );
}

/** Renders the scorecard page's content at a URL, e.g. `/env-parity?owner=x`. */
export function renderScorecard(
  scorecard: FakeScorecardApi,
  path: string = '/env-parity',
) {
  return render(<ScorecardContent />, scorecard, path);
}

/** Renders the Group card for a group entity. */
export function renderGroupCard(
  scorecard: FakeScorecardApi,
  group: Entity,
  props: { environment?: string } = {},
) {
  return render(
    <EntityProvider entity={group}>
      <GroupParityCard {...props} />
    </EntityProvider>,
    scorecard,
    '/catalog/default/group/x',
  );
}

/** A Group entity. */
export function groupEntity(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
  };
}
