import {
  EnvParityReplicaDriver,
  EnvParityReplicaDriverExtensionPoint,
} from '@env-parity/plugin-env-parity-node';

/**
 * Holds the replica driver a module sets through
 * `envParityReplicaDriverExtensionPoint`; a second one is refused.
 */
export function createReplicaDriverExtension() {
  let driver: EnvParityReplicaDriver | undefined;
  const extensionPoint: EnvParityReplicaDriverExtensionPoint = {
    setDriver(added) {
      if (driver) {
        throw new Error(
          `A replica driver is already set (${driver.id}); ${added.id} is refused: install one replica driver module only`,
        );
      }
      driver = added;
    },
  };
  return { extensionPoint, driver: () => driver };
}
