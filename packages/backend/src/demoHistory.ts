/*
 * DEMO ONLY: 90 days of made-up scorecard history for each environment the
 * demo compares with production (and the worst-environment view), so the
 * demo's trend chart has a shape on first start instead of a single point.
 * Real history is written by the plugin's daily task; this only fills days
 * before today that have no row yet, and is never installed outside the
 * demo backend.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';

const DAYS = 90;
/** The demo's non-reference environments (app-config.yaml) and the worst view. */
const SCOPES = [
  { scope: 'development', seed: 0.5, level: -0.1 },
  { scope: 'staging', seed: 1.5, level: -0.05 },
  { scope: 'preprod', seed: 0, level: 0 },
  { scope: 'worst', seed: 2.5, level: -0.15 },
];
const OWNERS = [
  { owner: '', tracked: 7 },
  { owner: 'group:default/payments-team', tracked: 3 },
  { owner: 'group:default/checkout-team', tracked: 2 },
  { owner: 'group:default/search-team', tracked: 1 },
];

/** A day's figures: parity slowly improving, with a wobble. */
function figures(
  tracked: number,
  daysAgo: number,
  seed: number,
  level: number,
) {
  const progress = 1 - daysAgo / DAYS;
  const wobble = Math.sin(daysAgo / 5 + seed);
  const share = Math.min(
    1,
    Math.max(0, 0.2 + level + 0.25 * progress + 0.08 * wobble),
  );
  return {
    tracked,
    in_parity: Math.round(share * tracked),
    median_score: Math.round(40 + 25 * progress + 6 * wobble),
    median_drift_age_days: Math.max(
      1,
      Math.round(35 - 12 * progress + 3 * wobble),
    ),
    behind: Math.round(
      Math.max(0, (tracked / 4) * (1 - progress) + 0.5 * wobble),
    ),
    tag_mismatch: daysAgo > 40 ? Math.min(1, tracked) : 0,
  };
}

export default createBackendModule({
  pluginId: 'env-parity',
  moduleId: 'demo-history',
  register(reg) {
    reg.registerInit({
      deps: {
        database: coreServices.database,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
      },
      async init({ database, lifecycle, logger }) {
        // after the plugin's migrations have run
        lifecycle.addStartupHook(async () => {
          const db = await database.getClient();
          if (!(await db.schema.hasTable('env_parity_scorecard_days'))) {
            return;
          }
          const now = Date.now();
          const rows = [];
          for (let daysAgo = DAYS; daysAgo >= 1; daysAgo--) {
            const day = new Date(now - daysAgo * 86_400_000)
              .toISOString()
              .slice(0, 10);
            for (const { scope, seed: scopeSeed, level } of SCOPES) {
              for (const [seed, { owner, tracked }] of OWNERS.entries()) {
                rows.push({
                  day,
                  scope,
                  owner,
                  ...figures(tracked, daysAgo, seed + scopeSeed, level),
                  recorded_at: new Date(now),
                });
              }
            }
          }
          for (let i = 0; i < rows.length; i += 100) {
            await db('env_parity_scorecard_days')
              .insert(rows.slice(i, i + 100))
              .onConflict(['day', 'scope', 'owner'])
              .ignore();
          }
          logger.warn(
            `DEMO ONLY: filled ${DAYS} days of made-up scorecard history`,
          );
        });
      },
    });
  },
});
