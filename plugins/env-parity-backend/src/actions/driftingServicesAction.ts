import { PermissionsService } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  envParityScorecardReadPermission,
  SCORECARD_WORST_ENVIRONMENT,
  ScorecardPage,
  Verdict,
  VERDICTS,
} from '@env-parity/plugin-env-parity-common';
import { requirePermission } from '../http';
import { ScorecardService } from '../scorecard';
import { parseScorecardFilter } from '../scorecard/router';
import { ParityLinks } from './links';

/** The verdicts that mean "differs from the reference". */
export const DRIFT_VERDICTS = [
  'config-drift',
  'ahead',
  'behind',
  'diverged',
  'tag-mismatch',
  'different',
] as const satisfies readonly Verdict[];

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

/** A scorecard page in the shape of the action's output. */
export function driftingServicesAnswer(
  page: ScorecardPage,
  links: ParityLinks,
) {
  return {
    totalCount: page.totalCount,
    totalsMayIncludeHidden: page.totalsMayIncludeHidden,
    services: page.items.map(row => ({
      entityRef: row.entityRef,
      title: row.title,
      owner: row.owner,
      system: row.system,
      environment: row.comparedEnvironment,
      referenceEnvironment: row.referenceEnvironment,
      verdict: row.verdict,
      score: row.score,
      environmentVersion: row.comparedVersion,
      referenceVersion: row.referenceVersion,
      commitsAhead: row.commitsAhead,
      commitsBehind: row.commitsBehind,
      driftSince: row.driftSince,
      driftAgeDays: row.driftAgeDays,
      lastObservedAt: row.lastObservedAt,
      observationFailed: row.observationFailed,
      url: links.parityTab(row.entityRef),
    })),
  };
}

/**
 * `list-drifting-services`: which services differ from production, worst
 * first? The drift scorecard's table (`ScorecardService.getPage`), for
 * callers allowed `env-parity.scorecard.read`, holding only services the
 * catalog shows them, with the scorecard route's filters and checks.
 */
export function registerDriftingServicesAction(options: {
  actionsRegistry: ActionsRegistryService;
  permissions: PermissionsService;
  scorecard: ScorecardService;
  links: ParityLinks;
}) {
  const { permissions, scorecard, links } = options;
  options.actionsRegistry.register({
    name: 'list-drifting-services',
    title: 'List services drifting from production',
    description: [
      'Lists the services of the Backstage catalog whose environment differs from the reference environment (production), worst first (lowest score),',
      'as the Env Parity drift scorecard shows them, with how long each has drifted.',
      `By default one environment is compared (the scorecard's default, usually the one right before production); give environment to pick another, or "${SCORECARD_WORST_ENVIRONMENT}" for each service's worst environment.`,
      'Filter by owner (a group, e.g. group:default/payments-team) and by verdict.',
    ].join(' '),
    visibilityPermission: envParityScorecardReadPermission,
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          owner: z
            .string()
            .max(2000)
            .optional()
            .describe(
              'Owner entity refs, comma separated, e.g. group:default/payments-team; a bare name means a group in the default namespace',
            ),
          verdict: z
            .array(z.enum(DRIFT_VERDICTS))
            .max(DRIFT_VERDICTS.length)
            .optional()
            .describe(`Only these verdicts; default: all of them`),
          environment: z
            .string()
            .max(100)
            .optional()
            .describe(
              `A non-reference environment, e.g. staging, or "${SCORECARD_WORST_ENVIRONMENT}"; default: the scorecard's default environment`,
            ),
          limit: z
            .number()
            .int()
            .min(1)
            .max(MAX_LIMIT)
            .optional()
            .describe(`At most this many services; default ${DEFAULT_LIMIT}`),
        }),
      output: z =>
        z.object({
          totalCount: z
            .number()
            .describe('Services matching, including those past the limit'),
          totalsMayIncludeHidden: z
            .boolean()
            .describe(
              'totalCount may count services hidden from the caller (never listed)',
            ),
          services: z.array(
            z.object({
              entityRef: z.string(),
              title: z.string().optional(),
              owner: z.string().optional(),
              system: z.string().optional(),
              environment: z.string(),
              referenceEnvironment: z.string(),
              verdict: z.enum(VERDICTS as unknown as [Verdict, ...Verdict[]]),
              score: z.number().describe('0 to 100 (in sync)'),
              environmentVersion: z.string().optional(),
              referenceVersion: z.string().optional(),
              commitsAhead: z.number().optional(),
              commitsBehind: z.number().optional(),
              driftSince: z.string().optional(),
              driftAgeDays: z.number().optional(),
              lastObservedAt: z.string().optional(),
              observationFailed: z.boolean(),
              url: z.string().describe("The service's Parity tab"),
            }),
          ),
        }),
    },
    examples: [
      {
        title: "Which of the payments team's services drift in staging?",
        input: { owner: 'group:default/payments-team', environment: 'staging' },
      },
    ],
    action: async ({ input, credentials }) => {
      // the scorecard route's own parsing: the same normalising and refusals
      const filter = parseScorecardFilter({
        owner: input.owner,
        verdict: [...(input.verdict ?? DRIFT_VERDICTS)],
        environment: input.environment,
      });
      await requirePermission({
        permissions,
        credentials,
        permission: envParityScorecardReadPermission,
        action: 'read the environment parity scorecard',
      });
      const page = await scorecard.getPage(
        {
          ...filter,
          sort: 'score',
          order: 'asc',
          page: 1,
          pageSize: input.limit ?? DEFAULT_LIMIT,
        },
        credentials,
      );
      return { output: driftingServicesAnswer(page, links) };
    },
  });
}
