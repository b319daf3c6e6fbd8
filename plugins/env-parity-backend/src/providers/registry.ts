import {
  DeploymentProvider,
  EnvParityProvidersExtensionPoint,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import { AnnotationDeploymentProvider } from './AnnotationDeploymentProvider';

/**
 * The deployment providers and revision comparers modules add through
 * `envParityProvidersExtensionPoint`, starting with the built-in provider
 * that reads `env-parity/<environment>.*` annotations. The arrays fill up
 * while modules register, before the plugin's init reads them.
 */
export function createProvidersExtension(): {
  providers: DeploymentProvider[];
  comparers: RevisionComparer[];
  extensionPoint: EnvParityProvidersExtensionPoint;
} {
  const providers: DeploymentProvider[] = [new AnnotationDeploymentProvider()];
  const comparers: RevisionComparer[] = [];
  const extensionPoint: EnvParityProvidersExtensionPoint = {
    addDeploymentProvider(...added) {
      for (const provider of added) {
        const name = provider.getProviderName();
        // Snapshots are stored by provider name: two providers of one name
        // would overwrite each other's observations.
        if (providers.some(p => p.getProviderName() === name)) {
          throw new Error(
            `A deployment provider named ${name} is already registered; give one of them another name`,
          );
        }
        providers.push(provider);
      }
    },
    addRevisionComparer(...added) {
      comparers.push(...added);
    },
  };
  return { providers, comparers, extensionPoint };
}
