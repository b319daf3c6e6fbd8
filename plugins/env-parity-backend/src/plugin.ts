import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { envParityPermissions } from '@env-parity/plugin-env-parity-common';
import {
  DeploymentProvider,
  envParityProvidersExtensionPoint,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import {
  DeploymentCollector,
  readCollectorOptions,
} from './collector/DeploymentCollector';
import { EnvironmentRegistry } from './environments';
import { ParityReportService } from './ParityReportService';
import { AnnotationDeploymentProvider } from './providers/AnnotationDeploymentProvider';
import { createRouter } from './router';
import { DatabaseSnapshotStore } from './store/DatabaseSnapshotStore';

/**
 * The Env Parity backend plugin: collects what runs in each environment and
 * serves parity reports.
 *
 * @public
 */
export const envParityPlugin = createBackendPlugin({
  pluginId: 'env-parity',
  register(env) {
    const providers: DeploymentProvider[] = [
      new AnnotationDeploymentProvider(),
    ];
    const comparers: RevisionComparer[] = [];
    env.registerExtensionPoint(envParityProvidersExtensionPoint, {
      addDeploymentProvider(...added) {
        for (const provider of added) {
          const name = provider.getProviderName();
          if (providers.some(p => p.getProviderName() === name)) {
            throw new Error(
              `A deployment provider named ${name} is already registered`,
            );
          }
          providers.push(provider);
        }
      },
      addRevisionComparer(...added) {
        comparers.push(...added);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const { config, logger, scheduler, auth, catalog } = deps;
        deps.permissionsRegistry.addPermissions(envParityPermissions);

        const store = await DatabaseSnapshotStore.create({
          database: deps.database,
        });
        const environments = EnvironmentRegistry.fromConfig(config, {
          catalog,
          auth,
          logger,
        });
        const collector = new DeploymentCollector({
          store,
          providers,
          environments,
          catalog,
          auth,
          logger,
          options: readCollectorOptions(config),
        });
        const reports = new ParityReportService({
          store,
          environments,
          collector,
          providers,
          comparers,
          logger,
          staleAfterMs: config.has('envParity.staleAfter')
            ? durationToMilliseconds(
                readDurationFromConfig(config, { key: 'envParity.staleAfter' }),
              )
            : 60 * 60 * 1000,
        });

        const schedule = config.has('envParity.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              config.getConfig('envParity.schedule'),
            )
          : {
              frequency: { minutes: 5 },
              timeout: { minutes: 4 },
              initialDelay: { seconds: 10 },
            };
        await scheduler.scheduleTask({
          id: 'env-parity-collect',
          scope: 'global',
          ...schedule,
          fn: async signal => {
            await collector.collectAll(signal);
          },
        });

        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            catalog,
            environments,
            reports,
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
