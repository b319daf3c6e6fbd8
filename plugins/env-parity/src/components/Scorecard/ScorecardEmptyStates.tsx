import { EmptyState } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  envParityScorecardReadPermission,
  permissionDeniedMessage,
} from '@env-parity/plugin-env-parity-common';

/** Nothing on the scorecard at all: how services get there. */
export function NothingTrackedEmptyState() {
  return (
    <EmptyState
      missing="data"
      title="No services are tracked yet"
      description={
        <>
          <Typography variant="body1" paragraph>
            A service appears here once Env Parity knows what runs in both its
            production and its pre-production environment. Either:
          </Typography>
          <Typography component="ul" variant="body1">
            <li>
              have each deploy write what it deployed into the service's{' '}
              <code>catalog-info.yaml</code>, e.g.{' '}
              <code>env-parity/production.version</code> and{' '}
              <code>env-parity/staging.version</code> (see the Parity tab of a
              service for the full list), or
            </li>
            <li>
              install a deployment provider in the backend, e.g. the GitHub
              module (<code>github.com/project-slug</code>) or the HTTP module (
              <code>env-parity/&lt;env&gt;.url</code>).
            </li>
          </Typography>
          <Typography variant="body2" color="textSecondary">
            The collector picks services up on its next pass, within minutes.
          </Typography>
        </>
      }
    />
  );
}

/**
 * Nothing on the scorecard for the chosen environment (other environments
 * may have services): what puts services there.
 */
export function NothingComparedEmptyState(props: {
  comparedTitle: string;
  referenceTitle: string;
  worst?: boolean;
}) {
  const { comparedTitle, referenceTitle } = props;
  return (
    <EmptyState
      missing="data"
      title={
        props.worst
          ? 'No services are tracked yet'
          : `No service is tracked in ${comparedTitle}`
      }
      description={
        props.worst
          ? `A service appears here once Env Parity knows what runs in ${referenceTitle} and in at least one other environment.`
          : `A service appears here once Env Parity knows what runs in both ${comparedTitle} and ${referenceTitle}. Pick another environment above, or see the Parity tab of a service for the annotations and providers that tell.`
      }
    />
  );
}

/** Filters that match nothing: a way out. */
export function NoMatchEmptyState(props: {
  ownedByMe?: boolean;
  onClear: () => void;
}) {
  return (
    <EmptyState
      missing="data"
      title="No services match these filters"
      description={
        props.ownedByMe
          ? 'Neither you nor your groups own a tracked service that matches. Clear the filters to see the whole catalog.'
          : 'Try fewer filters or other values, or clear them to see the whole catalog.'
      }
      action={
        <Button variant="contained" color="primary" onClick={props.onClear}>
          Clear filters
        </Button>
      }
    />
  );
}

/** The user may not read the scorecard. */
export function ForbiddenEmptyState() {
  return (
    <EmptyState
      missing="info"
      title={permissionDeniedMessage(
        'read the environment parity scorecard',
        envParityScorecardReadPermission.name,
      )}
      description="Ask your Backstage administrator to grant it."
    />
  );
}
