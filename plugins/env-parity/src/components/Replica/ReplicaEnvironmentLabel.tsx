import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import FileCopyOutlinedIcon from '@material-ui/icons/FileCopyOutlined';
import {
  Replica,
  ReportEnvironment,
} from '@env-parity/plugin-env-parity-common';
import { exactTime } from '../EnvParityContent/format';
import { replicaChipParts, replicaOfEnvironment } from './format';

// a chip is one line that clips; this one wraps to fit a narrow column
const useStyles = makeStyles({
  chip: {
    height: 'auto',
    maxWidth: '100%',
  },
  label: {
    display: 'flex',
    flexDirection: 'column',
    whiteSpace: 'normal',
    overflowWrap: 'anywhere',
    paddingTop: 2,
    paddingBottom: 2,
    lineHeight: 1.3,
  },
  // read, and copied, as `Replica · guest's · expires 15:30`
  separator: {
    position: 'absolute',
    width: 1,
    height: 1,
    margin: -1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

/**
 * In the environments matrix, beside an environment's title: that it is a
 * production replica, whose and until when (`Replica · guest's` over
 * `expires 15:30`, so that it fits a narrow column), and, when launched
 * with a change, the one image it runs that production does not. Nothing
 * for an ordinary environment.
 */
export function ReplicaEnvironmentLabel(props: {
  env: ReportEnvironment;
  /** The replicas the user sees, for a report that does not describe its own. */
  replicas?: Replica[];
}) {
  const classes = useStyles();
  const replica = replicaOfEnvironment(props.env, props.replicas);
  if (!replica) {
    return null;
  }
  const { whose, expiry } = replicaChipParts(replica);
  const chip = (
    <Chip
      size="small"
      variant="outlined"
      icon={<FileCopyOutlinedIcon />}
      classes={{ root: classes.chip, label: classes.label }}
      label={
        <>
          <span>{whose}</span>
          {expiry && (
            <>
              <span className={classes.separator}> · </span>
              <span>{expiry}</span>
            </>
          )}
        </>
      }
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
