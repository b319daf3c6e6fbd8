import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { permissionDeniedMessage } from '@env-parity/plugin-env-parity-common';

/**
 * The one way Env Parity's pages say no: what the user may not do and the
 * permission it needs, in the backend's wording (`permissionDeniedMessage`).
 */
export function NotPermitted(props: {
  /** e.g. `see access requests`, `align checkout-web` */
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
