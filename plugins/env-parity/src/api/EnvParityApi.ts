import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import { ParityReport } from '@env-parity/plugin-env-parity-common';

/**
 * Reads and refreshes the parity report of a catalog entity.
 *
 * @public
 */
export interface EnvParityApi {
  /**
   * The current parity report of an entity.
   *
   * @param entityRef - The entity, as a compound ref or a string such as
   *   `component:default/payments`.
   */
  getReport(entityRef: CompoundEntityRef | string): Promise<ParityReport>;

  /**
   * Re-collects the entity's deployments now and returns the new report.
   *
   * @param entityRef - The entity, as a compound ref or a string such as
   *   `component:default/payments`.
   */
  refresh(entityRef: CompoundEntityRef | string): Promise<ParityReport>;
}

/**
 * The API reference of {@link EnvParityApi}. Usable in both the legacy and
 * the new frontend system.
 *
 * @public
 */
export const envParityApiRef = createApiRef<EnvParityApi>().with({
  id: 'plugin.env-parity.service',
  pluginId: 'env-parity',
});
