import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/**
 * One recorded log line.
 *
 * @public
 */
export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: Record<string, unknown>;
}

function serialise(meta: Error | JsonObject | undefined) {
  if (meta instanceof Error) {
    return { name: meta.name, message: meta.message, stack: meta.stack };
  }
  return meta ?? {};
}

/**
 * A root logger recording every line at every level, debug included, with
 * the meta fields of it and of its children: add `factory` to
 * `startTestBackend`'s features, then search `text()`, e.g. for a planted
 * secret.
 *
 * @public
 */
export function recordingRootLogger() {
  const lines: LogLine[] = [];
  const make = (fields: JsonObject): LoggerService => {
    const log =
      (level: LogLine['level']) =>
      (message: string, meta?: Error | JsonObject) =>
        lines.push({ level, message, meta: { ...fields, ...serialise(meta) } });
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: meta => make({ ...fields, ...meta }),
    };
  };
  const logger = make({});
  return {
    lines,
    /** Everything recorded, as one string to search. */
    text: () => JSON.stringify(lines),
    factory: createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => logger,
    }),
  };
}
