import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { DeploymentProvider, RevisionComparer } from './providers';

/**
 * Lets backend modules add deployment providers and revision comparers to
 * the env-parity plugin.
 *
 * @public
 */
export interface EnvParityProvidersExtensionPoint {
  addDeploymentProvider(...providers: DeploymentProvider[]): void;
  addRevisionComparer(...comparers: RevisionComparer[]): void;
}

/**
 * The extension point for deployment providers and revision comparers.
 *
 * @example
 * ```ts
 * createBackendModule({
 *   pluginId: 'env-parity',
 *   moduleId: 'my-provider',
 *   register(reg) {
 *     reg.registerInit({
 *       deps: { providers: envParityProvidersExtensionPoint },
 *       async init({ providers }) {
 *         providers.addDeploymentProvider(new MyProvider());
 *       },
 *     });
 *   },
 * });
 * ```
 *
 * @public
 */
export const envParityProvidersExtensionPoint =
  createExtensionPoint<EnvParityProvidersExtensionPoint>({
    id: 'env-parity.providers',
  });
