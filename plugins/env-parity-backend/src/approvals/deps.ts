import {
  AuditorService,
  AuthService,
  DatabaseService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';

/** What the service of every feature that asks for approval uses. */
export interface ApprovalServiceDeps {
  environments: { list(): Promise<EnvironmentDefinition[]> };
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  auditor?: AuditorService;
  notifications?: NotificationService;
  /** The time; tests pass a fake clock. */
  clock?: () => Date;
}

/** What setting up such a feature (store, service, sweep, routes) takes from the plugin. */
export interface ApprovalSetupOptions extends ApprovalServiceDeps {
  config: RootConfigService;
  database: DatabaseService;
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}
