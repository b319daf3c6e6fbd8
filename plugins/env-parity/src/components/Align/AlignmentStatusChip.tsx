import { AlignmentStatus } from '@env-parity/plugin-env-parity-common';
import { StatusChip } from '../shared/StatusChip';
import { ALIGNMENT_TONES } from './format';

/** The status of an alignment, coloured by what it means. */
export function AlignmentStatusChip(props: { status: AlignmentStatus }) {
  return (
    <StatusChip
      status={props.status}
      tone={ALIGNMENT_TONES[props.status] ?? 'over'}
    />
  );
}
