import { useApi } from '@backstage/core-plugin-api';
import {
  SCORECARD_WORST_ENVIRONMENT,
  ScorecardEnvironments,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { envParityApiRef } from '../../api';
import { envTitle } from './format';

/** The label of the "worst environment" view. */
export const WORST_ENVIRONMENT_TITLE = 'Worst environment';

/** Whether an environment of a request is the "worst environment" view. */
export function isWorst(environment: string | undefined): boolean {
  return environment === SCORECARD_WORST_ENVIRONMENT;
}

/**
 * The title of an environment: as configured when the scorecard's
 * environments are known (`Pre-production`), else the name capitalised.
 */
export function environmentTitle(
  name: string,
  environments?: ScorecardEnvironments,
): string {
  if (isWorst(name)) {
    return WORST_ENVIRONMENT_TITLE;
  }
  return (
    environments?.environments.find(e => e.name === name)?.title ??
    envTitle(name)
  );
}

/**
 * Whether an environment named in a URL can be shown: `worst` or one of the
 * scorecard's environments. Unknown while the environments are loading.
 */
export function isKnownEnvironment(
  name: string,
  environments: ScorecardEnvironments | undefined,
): boolean | undefined {
  if (isWorst(name)) {
    return true;
  }
  if (!environments) {
    return undefined;
  }
  return environments.environments.some(e => e.name === name);
}

/** "Staging vs Production", "Worst environment vs Production". */
export function comparisonTitle(
  compared: string,
  reference: string,
  environments?: ScorecardEnvironments,
): string {
  return `${environmentTitle(compared, environments)} vs ${envTitle(
    reference,
  )}`;
}

/** The environments the scorecard can show, from the backend. */
export function useScorecardEnvironments() {
  const api = useApi(envParityApiRef);
  return useAsync(() => api.getScorecardEnvironments(), [api]);
}
