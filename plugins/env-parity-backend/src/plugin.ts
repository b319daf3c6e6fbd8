import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { envParityPermissions } from '@env-parity/plugin-env-parity-common';
import {
  envParityAccessProvisionersExtensionPoint,
  envParityDeployersExtensionPoint,
  envParityProvidersExtensionPoint,
  envParityReplicaDriverExtensionPoint,
} from '@env-parity/plugin-env-parity-node';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  createAccessProvisionersExtension,
  createAccessService,
} from './access';
import { createActions } from './actions';
import { createAlignments, createDeployersExtension } from './align';
import { createCollection, readCollectorOptions } from './collector';
import { createEventCollection } from './events';
import { createReportSignals } from './signals';
import { createDriftNotifications } from './notify';
import { EnvironmentRegistry } from './environments';
import { createRefreshRateLimiter, readReportedKinds } from './http';
import { ParityReportService } from './ParityReportService';
import { createProbeRouter, createProbes } from './probe';
import { createProvidersExtension } from './providers/registry';
import { createReplicaDriverExtension, createReplicas } from './replicas';
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
    // Modules add providers, comparers and provisioners before init runs.
    const providers = createProvidersExtension();
    env.registerExtensionPoint(
      envParityProvidersExtensionPoint,
      providers.extensionPoint,
    );
    const access = createAccessProvisionersExtension();
    env.registerExtensionPoint(
      envParityAccessProvisionersExtensionPoint,
      access.extensionPoint,
    );
    const deployers = createDeployersExtension();
    env.registerExtensionPoint(
      envParityDeployersExtensionPoint,
      deployers.extensionPoint,
    );
    const replicaDriver = createReplicaDriverExtension();
    env.registerExtensionPoint(
      envParityReplicaDriverExtensionPoint,
      replicaDriver.extensionPoint,
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
        actionsRegistry: actionsRegistryServiceRef,
        // both have default factories: without the events and signals
        // backends installed they deliver in-process only
        events: eventsServiceRef,
        signals: signalsServiceRef,
        // Has a default factory that calls the notifications backend over
        // HTTP; when that backend is not installed, sending fails and is
        // logged, never failing an access request.
        notifications: notificationService,
      },
      async init(deps) {
        const { config, logger, auth, catalog } = deps;
        deps.permissionsRegistry.addPermissions(envParityPermissions);

        const environments = EnvironmentRegistry.fromConfig(config, {
          catalog,
          auth,
          logger,
        });
        const store = await DatabaseSnapshotStore.create({
          database: deps.database,
        });
        // the one report path, for the Parity tab and the scorecard
        const builder = ParityReportBuilder.fromConfig(config, {
          providers: providers.providers,
          comparers: providers.comparers,
          logger,
        });
        const scorecard = await createScorecard({
          ...deps,
          environments,
          builder,
          latestRunStart: () => store.latestCompletedRunStart(),
        });
        const collector = await createCollection({
          ...deps,
          store,
          providers: providers.providers,
          environments,
          // tells services' owners of new and old drift (envParity.notify)
          scorecard: await createDriftNotifications({
            ...deps,
            environments,
            updater: scorecard.writer,
          }),
        });
        // open Parity tabs update in place when their service's report changes
        collector.addListener(
          createReportSignals({ signals: deps.signals, logger }),
        );
        // deployments collected at once: GitHub deployment webhooks and Argo
        // CD Notifications, through the events backend (envParity.events)
        await createEventCollection({
          ...deps,
          collector,
          kinds: readCollectorOptions(config).kinds,
        });
        // Production replicas, when envParity.replicas is configured and a
        // module set a driver; otherwise their routes answer 404
        const replicas = await createReplicas({
          ...deps,
          environments,
          snapshots: store,
          driver: replicaDriver.driver(),
        });
        const reports = new ParityReportService({
          store,
          environments,
          collector,
          builder,
          // each active replica is one more environment of its report
          replicas: replicas.report,
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
            refreshLimiter: await createRefreshRateLimiter({
              config,
              database: deps.database,
              logger,
            }),
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
        const accessRequests = await createAccessService({
          ...deps,
          environments,
          provisioners: access.provisioners,
        });
        deps.httpRouter.use(accessRequests.router);
        // get-parity-report, list-drifting-services and
        // request-production-access for assistants (MCP), each with the
        // caller's credentials
        createActions({
          ...deps,
          reports,
          scorecard: scorecard.service,
          access: accessRequests.service,
        });
        // Aligning environments with production, when envParity.align is
        // configured; otherwise its routes answer 404 and nothing runs
        deps.httpRouter.use(
          await createAlignments({
            ...deps,
            environments,
            snapshots: store,
            builder,
            deployers: deployers.deployers,
            // verifies after each collection, and follows production
            collector,
          }),
        );
        deps.httpRouter.use(replicas.router);
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
