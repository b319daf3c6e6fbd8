import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  EnvironmentDefinition,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import { RevisionComparer } from '@env-parity/plugin-env-parity-node';
import { component } from '../testUtils';
import { ParityReportBuilder } from './ParityReportBuilder';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const environments: EnvironmentDefinition[] = [
  { name: 'development', title: 'Development', source: 'config' },
  { name: 'staging', title: 'Staging', source: 'config' },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    source: 'config',
  },
] as EnvironmentDefinition[];
const entity = component('api', {});
const base = 'a'.repeat(40);

function snapshot(
  environment: string,
  revision: string,
  observedAt = NOW.toISOString(),
  provider = 'p',
): Snapshot {
  return {
    entityRef: 'component:default/api',
    environment,
    provider,
    deployment: { version: revision.slice(0, 3), revision },
    observedAt,
    checkedAt: observedAt,
    changedAt: observedAt,
  };
}

describe('ParityReportBuilder', () => {
  const logger = mockServices.logger.mock();
  const comparerWith = (
    compare: RevisionComparer['compare'],
  ): RevisionComparer => ({
    getComparerName: () => 'scm',
    supports: () => true,
    compare,
  });

  it('asks about each environment whose revision differs and computes with the answers', async () => {
    const compare = jest.fn(async ({ head }: { head: string }) =>
      head === 'b'.repeat(40)
        ? { status: 'behind' as const, aheadBy: 0, behindBy: 2 }
        : undefined,
    );
    const builder = new ParityReportBuilder({
      providers: [],
      comparers: [comparerWith(compare)],
      logger,
    });
    const { report, revisions } = await builder.build({
      entity,
      environments,
      now: NOW,
      snapshots: [
        snapshot('production', base),
        snapshot('staging', 'b'.repeat(40)),
        snapshot('development', 'c'.repeat(40)),
      ],
    });
    expect(compare).toHaveBeenCalledTimes(2);
    expect(revisions).toEqual({
      staging: {
        base,
        head: 'b'.repeat(40),
        answer: { status: 'behind', aheadBy: 0, behindBy: 2 },
      },
      development: { base, head: 'c'.repeat(40), answer: 'none' },
    });
    const staging = report.comparisons.find(c => c.environment === 'staging');
    expect(staging).toMatchObject({ verdict: 'behind', commitsBehind: 2 });
  });

  it('takes known answers instead of asking, and never asks about identical revisions', async () => {
    const compare = jest.fn();
    const builder = new ParityReportBuilder({
      providers: [],
      comparers: [comparerWith(compare)],
      logger,
    });
    const { report, revisions } = await builder.build({
      entity,
      environments,
      now: NOW,
      snapshots: [
        snapshot('production', base),
        snapshot('staging', 'b'.repeat(40)),
        snapshot('development', base),
      ],
      known: env =>
        env === 'staging'
          ? { status: 'ahead', aheadBy: 1, behindBy: 0 }
          : undefined,
    });
    expect(compare).not.toHaveBeenCalled();
    expect(Object.keys(revisions)).toEqual(['staging']);
    expect(
      report.comparisons.find(c => c.environment === 'staging')?.verdict,
    ).toBe('ahead');
  });

  it('gives up on a failing or silent comparer, logging why', async () => {
    const builder = new ParityReportBuilder({
      providers: [],
      comparers: [
        comparerWith(({ head }) =>
          head === 'b'.repeat(40)
            ? Promise.reject(new Error('rate limited'))
            : new Promise(() => {}),
        ),
      ],
      logger,
      comparerTimeoutMs: 100,
    });
    const { revisions } = await builder.build({
      entity,
      environments,
      now: NOW,
      snapshots: [
        snapshot('production', base),
        snapshot('staging', 'b'.repeat(40)),
        snapshot('development', 'c'.repeat(40)),
      ],
    });
    expect(revisions.staging.answer).toBeUndefined();
    expect(revisions.development.answer).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('rate limited'),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('timed out after 100 ms'),
    );
  });

  it('applies envParity.staleAfter from the configuration', async () => {
    const builder = ParityReportBuilder.fromConfig(
      new ConfigReader({
        envParity: { staleAfter: { minutes: 30 } },
      }),
      { providers: [], comparers: [], logger },
    );
    const old = new Date(NOW.getTime() - 31 * 60_000).toISOString();
    const { report } = await builder.build({
      entity,
      environments,
      now: NOW,
      snapshots: [snapshot('production', base), snapshot('staging', base, old)],
    });
    expect(report.environments.map(e => [e.name, e.status])).toEqual([
      ['development', 'missing'],
      ['staging', 'stale'],
      ['production', 'ok'],
    ]);
  });
});
