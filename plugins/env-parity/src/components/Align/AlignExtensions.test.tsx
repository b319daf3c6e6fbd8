/* eslint-disable jest/expect-expect -- pageExtensionChecks asserts */
import {
  EnvParityAlignmentsPage,
  envParityAlignmentsRouteRef,
} from '../../index';
import { envParityAlignmentsPage } from '../../alpha';
import { pageExtensionChecks } from '../../__testUtils__/pageExtensions';
import { alignApi } from './__testUtils__';

jest.setTimeout(30_000);

describe('alignments page extensions', () => {
  const checks = pageExtensionChecks({
    name: 'alignments',
    extension: envParityAlignmentsPage,
    routeRef: envParityAlignmentsRouteRef,
    title: 'Alignments',
    Legacy: EnvParityAlignmentsPage,
    api: () => {
      const api = alignApi();
      api.align.canReview = true;
      return api;
    },
    firstText: 'Nothing is waiting for you',
  });

  it(
    'adds the alignments page with its nav item to the new frontend system',
    checks.extension,
  );
  it(
    'renders the alignments page in the new frontend system',
    checks.newSystem,
  );
  it(
    'provides EnvParityAlignmentsPage to the legacy frontend system',
    checks.legacy,
  );
});
