import {
  EnvParityDeployer,
  EnvParityDeployersExtensionPoint,
} from '@env-parity/plugin-env-parity-node';

/**
 * Collects deployers added by modules through
 * `envParityDeployersExtensionPoint`; an id registered twice is refused.
 */
export function createDeployersExtension() {
  const deployers: EnvParityDeployer[] = [];
  const extensionPoint: EnvParityDeployersExtensionPoint = {
    addDeployer(...added) {
      for (const deployer of added) {
        if (deployers.some(d => d.id === deployer.id)) {
          throw new Error(
            `An alignment deployer with id ${deployer.id} is already registered`,
          );
        }
        deployers.push(deployer);
      }
    },
  };
  return { deployers, extensionPoint };
}
