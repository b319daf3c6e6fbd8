import Typography from '@material-ui/core/Typography';
import {
  describeUnknownReason,
  EnvironmentComparison,
  ParityReport,
  unknownReasonOf,
} from '@env-parity/plugin-env-parity-common';

/**
 * A comparison's score, "score 90/100"; for an unknown verdict no score
 * (it is not 0) but why, e.g. "not deployed to Production".
 */
export function Score(props: {
  report: ParityReport;
  comparison: EnvironmentComparison;
}) {
  const { report, comparison } = props;
  let text = `score ${comparison.score}/100`;
  if (comparison.verdict === 'unknown') {
    const compared = report.environments.find(
      e => e.name === comparison.environment,
    );
    const reference = report.environments.find(
      e => e.name === comparison.against,
    );
    text = describeUnknownReason(
      compared && reference ? unknownReasonOf(compared, reference) : undefined,
      {
        compared: compared?.title ?? comparison.environment,
        reference: reference?.title ?? comparison.against,
      },
    );
  }
  return (
    <Typography variant="body2" color="textSecondary" component="span">
      {text}
    </Typography>
  );
}
