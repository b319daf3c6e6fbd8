import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  AccessProvisioner,
  EnvParityAccessProvisionersExtensionPoint,
} from '@env-parity/plugin-env-parity-node';
import express from 'express';
import { ApprovalSetupOptions, scheduleSweep } from '../approvals';
import { AccessService } from './AccessService';
import { readAccessOptions } from './config';
import { DatabaseAccessStore } from './DatabaseAccessStore';
import { KubernetesProvisioner } from './provisioners/KubernetesProvisioner';
import { RecordOnlyProvisioner } from './provisioners/RecordOnlyProvisioner';
import { WebhookProvisioner } from './provisioners/WebhookProvisioner';
import { createAccessRouter } from './router';

export { AccessService } from './AccessService';
export { DatabaseAccessStore } from './DatabaseAccessStore';
export { readAccessOptions } from './config';
export { createAccessRouter } from './router';

/**
 * Collects provisioners added by modules through
 * `envParityAccessProvisionersExtensionPoint`.
 */
export function createAccessProvisionersExtension() {
  const provisioners: AccessProvisioner[] = [];
  const extensionPoint: EnvParityAccessProvisionersExtensionPoint = {
    addProvisioner(...added) {
      for (const provisioner of added) {
        if (provisioners.some(p => p.name === provisioner.name)) {
          throw new Error(
            `An access provisioner named ${provisioner.name} is already registered`,
          );
        }
        provisioners.push(provisioner);
      }
    },
  };
  return { provisioners, extensionPoint };
}

/** The built-in provisioners the configuration enables, then the added ones. */
export function accessProvisionersFromConfig(
  config: RootConfigService,
  logger: LoggerService,
  added: AccessProvisioner[],
): AccessProvisioner[] {
  const builtIn: AccessProvisioner[] = [new RecordOnlyProvisioner()];
  const webhook = config.getOptionalConfig('envParity.access.webhook');
  if (webhook) {
    builtIn.push(WebhookProvisioner.fromConfig(webhook, { logger }));
  }
  const kubernetes = config.getOptionalConfig('envParity.access.kubernetes');
  if (kubernetes) {
    builtIn.push(KubernetesProvisioner.fromConfig(kubernetes, { logger }));
  }
  const names = new Set(added.map(p => p.name));
  return [...builtIn.filter(p => !names.has(p.name)), ...added];
}

/** What {@link createAccess} needs. */
export interface AccessSetupOptions extends ApprovalSetupOptions {
  provisioners: AccessProvisioner[];
}

/**
 * Sets up temporary read-only access: the store (and its migration), the
 * service, the sweep (scheduled every minute, scope global, and run once at
 * start-up) and the HTTP routes; returns the service (for other ways in,
 * such as actions) and the routes for the plugin to mount.
 */
export async function createAccessService(
  options: AccessSetupOptions,
): Promise<{ service: AccessService; router: express.Router }> {
  const { config } = options;
  const logger = options.logger.child({ feature: 'access' });
  const store = await DatabaseAccessStore.create({
    database: options.database,
  });
  const access = new AccessService({
    store,
    environments: options.environments,
    catalog: options.catalog,
    auth: options.auth,
    logger,
    auditor: options.auditor,
    notifications: options.notifications,
    provisioners: accessProvisionersFromConfig(
      config,
      logger,
      options.provisioners,
    ),
    options: readAccessOptions(config),
    clock: options.clock,
  });
  await scheduleSweep({
    id: 'env-parity-access-sweep',
    name: 'Access',
    frequency: { minutes: 1 },
    scheduler: options.scheduler,
    lifecycle: options.lifecycle,
    logger,
    sweep: () => access.sweep(),
    close: () => access.close(),
  });
  const router = await createAccessRouter({
    httpAuth: options.httpAuth,
    permissions: options.permissions,
    auditor: options.auditor,
    access,
  });
  return { service: access, router };
}

/** {@link createAccessService}'s routes, for the plugin to mount. */
export async function createAccess(
  options: AccessSetupOptions,
): Promise<express.Router> {
  return (await createAccessService(options)).router;
}
