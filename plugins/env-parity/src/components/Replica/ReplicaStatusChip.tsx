import { ReplicaStatus } from '@env-parity/plugin-env-parity-common';
import { StatusChip } from '../shared/StatusChip';
import { REPLICA_TONES } from './format';

/** The status of a production replica, in words, coloured by what it means. */
export function ReplicaStatusChip(props: { status: ReplicaStatus }) {
  return (
    <StatusChip
      status={props.status}
      tone={REPLICA_TONES[props.status] ?? 'over'}
    />
  );
}
