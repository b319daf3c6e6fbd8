import { Link } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { Alignment } from '@env-parity/plugin-env-parity-common';
import { AlignmentStatusChip } from './AlignmentStatusChip';
import { useAlignmentLink } from './routes';

/**
 * In the environments matrix: the alignment under way on an environment,
 * with its status and a link to it (its page, or the tab's Align section
 * where the app has no alignments page).
 */
export function AlignmentUnderWay(props: { alignment: Alignment }) {
  const { alignment } = props;
  const link = useAlignmentLink();
  return (
    <Typography
      variant="caption"
      component="div"
      color="textSecondary"
      data-alignment-under-way={alignment.id}
      style={{
        display: 'flex',
        flexWrap: 'wrap',
        alignItems: 'center',
        gap: 4,
      }}
    >
      <span>Aligning with {alignment.reference}:</span>
      <AlignmentStatusChip status={alignment.status} />
      <Link to={link ? link(alignment.id) : '#align'}>details</Link>
    </Typography>
  );
}
