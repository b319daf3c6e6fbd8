import { PermissionsService } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  envParityReportReadPermission,
  ParityReport,
  Verdict,
  VERDICTS,
} from '@env-parity/plugin-env-parity-common';
import { ParityReportService } from '../ParityReportService';
import { actionEntityRef, visibleEntity } from './entities';
import { ParityLinks } from './links';

/** Drift items listed per environment; the Parity tab has them all. */
export const MAX_DIFFERENCES = 20;

const STATUSES = ['ok', 'stale', 'error', 'missing'] as const;

/** A parity report in the shape of the action's output. */
export function reportAnswer(report: ParityReport, url: string) {
  const comparisons = new Map(report.comparisons.map(c => [c.environment, c]));
  return {
    entityRef: report.entityRef,
    summary: report.summary,
    referenceEnvironment: report.reference,
    closestEnvironment: report.closestToReference,
    environments: report.environments.map(e => {
      const comparison = comparisons.get(e.name);
      const drift = comparison?.drift ?? [];
      return {
        name: e.name,
        title: e.title,
        reference: e.reference,
        owner: e.owner,
        status: e.status,
        partial: e.partial,
        error: e.error,
        version: e.deployment?.version,
        revision: e.deployment?.revision,
        artifact: e.deployment?.artifact,
        deployedAt: e.deployment?.deployedAt,
        deployedBy: e.deployment?.deployedBy,
        observedAt: e.observedAt,
        verdict: comparison?.verdict,
        score: comparison?.score,
        verdictSummary: comparison?.summary,
        commitsAhead: comparison?.commitsAhead,
        commitsBehind: comparison?.commitsBehind,
        differenceCount: comparison ? drift.length : undefined,
        differences: comparison
          ? drift
              .slice(0, MAX_DIFFERENCES)
              .map(d => ({ type: d.type, field: d.field, change: d.change }))
          : undefined,
      };
    }),
    warnings: report.warnings,
    generatedAt: report.generatedAt,
    url,
  };
}

/**
 * `get-parity-report`: is this service's production the same as the other
 * environments? The Parity tab's answer, through the one report path
 * (`ParityReportService`), for callers allowed `env-parity.report.read` and
 * for services the catalog shows them.
 */
export function registerParityReportAction(options: {
  actionsRegistry: ActionsRegistryService;
  permissions: PermissionsService;
  catalog: CatalogService;
  reports: ParityReportService;
  links: ParityLinks;
  /** `readReportedKinds(config)`. */
  kinds: readonly string[];
}) {
  const { permissions, catalog, reports, links, kinds } = options;
  options.actionsRegistry.register({
    name: 'get-parity-report',
    title: 'Get environment parity report',
    description: [
      'Answers "is this also broken in production?" for one service in the Backstage catalog:',
      "what version, revision and artifact runs in each environment, each environment's verdict against the reference environment (production),",
      'what differs, and which environment is closest to production.',
      '`summary` is the answer in words; `closestEnvironment` is where to reproduce a production problem.',
      'Verdicts: in-sync (same build and configuration), config-drift (same build, configuration differs), ahead/behind/diverged (commits),',
      "tag-mismatch (same tag, different artifact digest), different (a different build), unknown (not comparable; see the environment's status and error).",
    ].join(' '),
    visibilityPermission: envParityReportReadPermission,
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .min(1)
            .max(300)
            .describe(
              'The service, e.g. component:default/payments-api; a bare name means a Component in the default namespace',
            ),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          summary: z
            .string()
            .describe('The answer in words, as the Parity tab shows it'),
          referenceEnvironment: z
            .string()
            .describe('The environment every other one is compared with'),
          closestEnvironment: z
            .string()
            .optional()
            .describe('The non-reference environment most like the reference'),
          environments: z.array(
            z.object({
              name: z.string(),
              title: z.string(),
              reference: z.boolean(),
              owner: z.string().optional(),
              status: z
                .enum(STATUSES)
                .describe(
                  'ok: current; stale: may be outdated; error: a provider failed and nothing can be shown; missing: no deployment reported',
                ),
              partial: z
                .boolean()
                .optional()
                .describe('Some providers failed; the data shown is partial'),
              error: z.string().optional(),
              version: z.string().optional(),
              revision: z.string().optional(),
              artifact: z.string().optional(),
              deployedAt: z.string().optional(),
              deployedBy: z.string().optional(),
              observedAt: z.string().optional(),
              verdict: z
                .enum(VERDICTS as unknown as [Verdict, ...Verdict[]])
                .optional()
                .describe('Against the reference; absent for the reference'),
              score: z.number().optional().describe('0 to 100 (in sync)'),
              verdictSummary: z.string().optional(),
              commitsAhead: z.number().optional(),
              commitsBehind: z.number().optional(),
              differenceCount: z.number().optional(),
              differences: z
                .array(
                  z.object({
                    type: z.string(),
                    field: z.string(),
                    change: z.string(),
                  }),
                )
                .optional()
                .describe(
                  `What differs from the reference (the first ${MAX_DIFFERENCES}); values are left out`,
                ),
            }),
          ),
          warnings: z.array(z.string()).optional(),
          generatedAt: z.string(),
          url: z.string().describe("The service's Parity tab in Backstage"),
        }),
    },
    examples: [
      {
        title: 'Is payments-api the same in staging as in production?',
        input: { entityRef: 'component:default/payments-api' },
      },
    ],
    action: async ({ input, credentials }) => {
      const entityRef = actionEntityRef(input.entityRef, kinds);
      const entity = await visibleEntity({
        permissions,
        catalog,
        credentials,
        entityRef,
        permission: envParityReportReadPermission,
        action: 'read environment parity',
      });
      const report = await reports.getReport(entity);
      return {
        output: reportAnswer(report, links.parityTab(report.entityRef)),
      };
    },
  });
}
