import { AccessRequestStatus } from '@env-parity/plugin-env-parity-common';
import { StatusChip, StatusTone } from '../shared/StatusChip';

const TONES: Partial<Record<AccessRequestStatus, StatusTone>> = {
  pending: 'waiting',
  approved: 'underway',
  active: 'good',
  'provisioning-failed': 'failed',
  denied: 'refused',
};

/** The status of an access request, coloured by what it means. */
export function AccessStatusChip(props: { status: AccessRequestStatus }) {
  return (
    <StatusChip status={props.status} tone={TONES[props.status] ?? 'over'} />
  );
}
