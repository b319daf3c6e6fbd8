import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { envParityPermissions } from '@env-parity/plugin-env-parity-common';
import {
  DeploymentProvider,
  envParityAccessProvisionersExtensionPoint,
  envParityProvidersExtensionPoint,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import { createAccess, createAccessProvisionersExtension } from './access';
import {
  DeploymentCollector,
  readCollectorOptions,
} from './collector/DeploymentCollector';
import { EnvironmentRegistry } from './environments';
import { readReportedKinds } from './http';
import { ParityReportService } from './ParityReportService';
import { createProbeRouter, createProbes } from './probe';
import { AnnotationDeploymentProvider } from './providers/AnnotationDeploymentProvider';
import { ParityReportBuilder } from './report';
import { createRouter } from './router';
import { createScorecard } from './scorecard';
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
    const access = createAccessProvisionersExtension();
    env.registerExtensionPoint(
      envParityAccessProvisionersExtensionPoint,
      access.extensionPoint,
    );

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
        userInfo: coreServices.userInfo,
        catalog: catalogServiceRef,
        lifecycle: coreServices.lifecycle,
        // Has a default factory that calls the notifications backend over
        // HTTP; when that backend is not installed, sending fails and is
        // logged, never failing an access request.
        notifications: notificationService,
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
        if (!config.has('envParity.config.hashKey')) {
          logger.info(
            'envParity.config.hashKey is not set: configuration fingerprints are keyed with a built-in key; set a secret one so that stored fingerprints of short values cannot be guessed',
          );
        }
        // the one report path, for the Parity tab and the scorecard
        const builder = ParityReportBuilder.fromConfig(config, {
          providers,
          comparers,
          logger,
        });
        const scorecard = await createScorecard({
          ...deps,
          environments,
          builder,
          latestRunStart: () => store.latestCompletedRunStart(),
        });
        const collector = new DeploymentCollector({
          store,
          providers,
          environments,
          catalog,
          auth,
          logger,
          options: readCollectorOptions(config),
          scorecard: scorecard.writer,
        });
        const reports = new ParityReportService({
          store,
          environments,
          collector,
          builder,
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
            kinds: readReportedKinds(config),
          }),
        );
        // Compare an endpoint across environments, through the outbound
        // request guard configured in envParity.probe
        deps.httpRouter.use(
          createProbeRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            catalog,
            environments,
            ...(await createProbes({
              config,
              database: deps.database,
              logger,
            })),
          }),
        );
        deps.httpRouter.use(scorecard.router);
        deps.httpRouter.use(
          await createAccess({
            ...deps,
            environments,
            provisioners: access.provisioners,
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
