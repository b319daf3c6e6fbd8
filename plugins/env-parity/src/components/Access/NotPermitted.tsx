import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  envParityAccessAdminPermission,
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
} from '@env-parity/plugin-env-parity-common';

/** Any of these lets a user see access requests. */
export const ACCESS_PERMISSION_NAMES = [
  envParityAccessCreatePermission.name,
  envParityAccessReviewPermission.name,
  envParityAccessAdminPermission.name,
];

/**
 * The one way Env Parity's access pages say no: what the user may not do
 * and the permission it needs, worded like the Parity tab's refusal.
 */
export function NotPermitted(props: {
  /** e.g. `see access requests` */
  what: string;
  /** The permission names, any of which would do. */
  permissions: string[];
}) {
  const names = props.permissions;
  const list =
    names.length > 1
      ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
      : names[0];
  return (
    <Alert severity="warning">
      <AlertTitle>You don't have permission to {props.what}</AlertTitle>
      It needs the {list} permission; ask your Backstage administrator for it.
    </Alert>
  );
}
