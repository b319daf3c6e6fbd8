import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { SignalsService } from '@backstage/plugin-signals-node';
import type { CollectionListener } from '../collector';

/**
 * The signals channel of a service's report; the Parity tab listens to it.
 * Kept equal to `reportSignalChannel` in the frontend plugin.
 */
export function reportSignalChannel(entityRef: string): string {
  return `env-parity:report:${entityRef}`;
}

/** What a report signal says: only that it changed, and when. */
export interface ReportChangedSignal {
  [key: string]: string;
  entityRef: string;
  changedAt: string;
}

/**
 * Tells open Parity tabs that their service's stored report changed: after
 * each collected batch that wrote snapshots, a signal on each of its
 * services' channels. The signal carries no report: the tab reads it again
 * with the user's own credentials. Sending fails quietly (logged once in a
 * while), never failing the collection.
 */
export function createReportSignals(options: {
  signals: SignalsService;
  logger: LoggerService;
}): CollectionListener {
  const { signals, logger } = options;
  let failures = 0;
  return {
    collectionStarted() {
      return {
        async batchStored(batch) {
          if (batch.written === 0) {
            return;
          }
          const changedAt = new Date().toISOString();
          await Promise.all(
            batch.entities.map(async entity => {
              const entityRef = stringifyEntityRef(entity);
              try {
                await signals.publish<ReportChangedSignal>({
                  recipients: { type: 'broadcast' },
                  channel: reportSignalChannel(entityRef),
                  message: { entityRef, changedAt },
                });
              } catch (error) {
                failures += 1;
                if (failures === 1 || failures % 100 === 0) {
                  logger.warn(
                    `Sending report signals failed (${failures} so far): ${
                      error instanceof Error ? error.message : String(error)
                    }`,
                  );
                }
              }
            }),
          );
        },
      };
    },
  };
}
