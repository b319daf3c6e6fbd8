import { AccessProvisioner } from '@env-parity/plugin-env-parity-node';

/**
 * The portal is the system of record: nothing is changed elsewhere, and other
 * systems ask `GET /api/env-parity/access/grants/active?user=...`.
 */
export class RecordOnlyProvisioner implements AccessProvisioner {
  readonly name = 'record-only';

  async grant() {}

  async revoke() {}
}
