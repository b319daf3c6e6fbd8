import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  envParityAccessAdminPermission,
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
  permissionDeniedMessage,
} from '@env-parity/plugin-env-parity-common';

/** Any of these lets a user see access requests. */
export const ACCESS_PERMISSION_NAMES = [
  envParityAccessCreatePermission.name,
  envParityAccessReviewPermission.name,
  envParityAccessAdminPermission.name,
];

/**
 * The one way Env Parity's pages say no: what the user may not do and the
 * permission it needs, in the backend's wording (`permissionDeniedMessage`).
 */
export function NotPermitted(props: {
  /** e.g. `see access requests` */
  what: string;
  /** The permission names, any of which would do. */
  permissions: string[];
}) {
  return (
    <Alert severity="warning">
      <AlertTitle>
        {permissionDeniedMessage(props.what, props.permissions)}
      </AlertTitle>
      Ask your Backstage administrator to grant it.
    </Alert>
  );
}
