import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import FileCopyOutlinedIcon from '@material-ui/icons/FileCopyOutlined';
import {
  Replica,
  ReportEnvironment,
} from '@env-parity/plugin-env-parity-common';
import { exactTime } from '../EnvParityContent/format';
import { replicaChipLabel, replicaOfEnvironment } from './format';

/**
 * In the environments matrix, beside an environment's title: that it is a
 * production replica, whose and until when (`Replica · guest's · expires
 * 15:30`), and, when launched with a change, the one image it runs that
 * production does not. Nothing for an ordinary environment.
 */
export function ReplicaEnvironmentLabel(props: {
  env: ReportEnvironment;
  /** The replicas the user sees, for a report that does not describe its own. */
  replicas?: Replica[];
}) {
  const replica = replicaOfEnvironment(props.env, props.replicas);
  if (!replica) {
    return null;
  }
  const chip = (
    <Chip
      size="small"
      variant="outlined"
      icon={<FileCopyOutlinedIcon />}
      label={replicaChipLabel(replica)}
      data-replica-environment={props.env.name}
    />
  );
  return (
    <>
      {replica.expiresAt ? (
        <Tooltip title={`Expires ${exactTime(replica.expiresAt)}`}>
          {chip}
        </Tooltip>
      ) : (
        chip
      )}
      {replica.override && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          style={{ width: '100%' }}
          data-replica-override={props.env.name}
        >
          Differs from production in exactly one image:{' '}
          {replica.override.workload} runs {replica.override.image}
        </Typography>
      )}
    </>
  );
}
