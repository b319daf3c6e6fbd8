import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { useEffect, useRef, useState } from 'react';
import { envParityApiRef } from '../../../api';

/**
 * The signals channel of a service's report, on which the backend tells that
 * its stored report changed. Kept equal to the backend's
 * `reportSignalChannel`.
 */
export function reportSignalChannel(entityRef: string): string {
  return `env-parity:report:${entityRef}`;
}

/** Polling when signals are not installed: every 30 seconds, while visible. */
export const POLL_INTERVAL_MS = 30_000;

/**
 * Polling with signals, as a safety net: a signal sent while the socket was
 * reconnecting is never delivered, so the report is also read every 5
 * minutes while visible (the backend's default collection cadence).
 */
export const SIGNALS_POLL_INTERVAL_MS = 5 * 60_000;

/**
 * Keeps a shown report current: reads it again when the backend signals a
 * change of the service's stored report (signals plugin), or, without
 * signals, every `pollMs` while the page is visible (with signals every
 * `SIGNALS_POLL_INTERVAL_MS`, for a signal missed while reconnecting);
 * either way at once when the page becomes visible again or the browser
 * comes back online. Calls `onReport` with each report read; returns when
 * the report was last updated this way.
 */
export function useLiveReport(
  entityRef: string,
  onReport: (report: ParityReport) => void,
  pollMs: number = POLL_INTERVAL_MS,
): { updatedAt?: number } {
  const api = useApi(envParityApiRef);
  const { lastSignal, isSignalsAvailable } = useSignal(
    reportSignalChannel(entityRef),
  );
  const [updatedAt, setUpdatedAt] = useState<number>();
  const onReportRef = useRef(onReport);
  onReportRef.current = onReport;
  const latest = useRef(0);

  const reload = useRef<() => Promise<void>>(async () => {});
  reload.current = async () => {
    const call = ++latest.current;
    try {
      const report = await api.getReport(entityRef);
      // an older read finishing late never replaces a newer one
      if (call === latest.current) {
        onReportRef.current(report);
        setUpdatedAt(Date.now());
      }
    } catch {
      // the next signal or poll tries again; the shown report stays
    }
  };

  useEffect(() => {
    if (lastSignal) {
      reload.current();
    }
  }, [lastSignal]);

  useEffect(() => {
    const visible = () => document.visibilityState === 'visible';
    // back to a hidden page: read at once, with signals too (a signal sent
    // while the computer slept or the socket reconnected is not delivered)
    const onVisibility = () => {
      if (visible()) {
        reload.current();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    // back online: signals sent while offline were not delivered
    window.addEventListener('online', onVisibility);
    const id = setInterval(
      () => {
        if (visible()) {
          reload.current();
        }
      },
      isSignalsAvailable ? Math.max(pollMs, SIGNALS_POLL_INTERVAL_MS) : pollMs,
    );
    return () => {
      clearInterval(id);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('online', onVisibility);
    };
  }, [isSignalsAvailable, pollMs, entityRef]);

  return { updatedAt };
}
