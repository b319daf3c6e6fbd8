import {
  AuditorService,
  PermissionsService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AccessService } from '../access';
import { readReportedKinds } from '../http';
import { ParityReportService } from '../ParityReportService';
import { ScorecardService } from '../scorecard';
import { registerAccessRequestAction } from './accessRequestAction';
import { registerDriftingServicesAction } from './driftingServicesAction';
import { ParityLinks } from './links';
import { registerParityReportAction } from './parityReportAction';

/**
 * Registers Env Parity's actions with Backstage's actions registry, where
 * the MCP actions backend (`@backstage/plugin-mcp-actions-backend`) and
 * other clients of the actions service find them:
 *
 * - `get-parity-report`: one service's answer, verdicts and closest environment
 * - `list-drifting-services`: the drift scorecard, worst first
 * - `request-production-access`: a pending access request, never approved
 *
 * Each runs with the caller's credentials: the permission policy decides
 * whether they may (and whether they see the action at all), and the
 * catalog which services they see.
 */
export function createActions(options: {
  actionsRegistry: ActionsRegistryService;
  config: RootConfigService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  reports: ParityReportService;
  scorecard: ScorecardService;
  access: Pick<AccessService, 'create'>;
}): void {
  const { actionsRegistry, config, permissions, catalog } = options;
  const links = ParityLinks.fromConfig(config);
  registerParityReportAction({
    actionsRegistry,
    permissions,
    catalog,
    reports: options.reports,
    links,
    kinds: readReportedKinds(config),
  });
  registerDriftingServicesAction({
    actionsRegistry,
    permissions,
    scorecard: options.scorecard,
    links,
  });
  registerAccessRequestAction({
    actionsRegistry,
    auditor: options.auditor,
    permissions,
    access: options.access,
    links,
  });
}
