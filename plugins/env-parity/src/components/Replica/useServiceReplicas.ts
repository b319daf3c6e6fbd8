import { useEffect, useRef } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  isActiveReplicaStatus,
  ParityReport,
  Replica,
  ReplicaSettings,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { envParityApiRef } from '../../api';

/** Reload this often while a replica is being created. */
export const REPLICA_POLL_MS = 5_000;

/** A service's production replicas as the Parity tab reads them. */
export interface ServiceReplicas {
  /** Undefined until read; a backend that cannot tell reads as not enabled. */
  settings?: ReplicaSettings;
  /** The caller's replicas of the service, newest first; undefined until loaded. */
  value?: Replica[];
  error?: Error;
  loading: boolean;
  retry: () => void;
}

/**
 * The settings, and the caller's replicas of one service (everyone's for an
 * admin), read once for the whole Parity tab: the Reproduce card lists them
 * and the matrix labels their environments. Read again whenever the report
 * changes, and every {@link REPLICA_POLL_MS} while one is `creating`; when
 * a replica starts, ends or becomes ready, the report is read again
 * (`onReport`) so that its environment row appears, turns in sync or goes.
 */
export function useServiceReplicas(
  entityRef: string,
  report: ParityReport | undefined,
  onReport?: (report: ParityReport) => void,
): ServiceReplicas {
  const api = useApi(envParityApiRef);
  const settings = useAsync(async () => {
    try {
      return await api.getReplicaSettings();
    } catch {
      // an older backend without replicas: nothing to offer
      return undefined;
    }
  }, [api]);
  const enabled = Boolean(settings.value?.enabled);
  const reportKey = report?.generatedAt;
  const state = useAsyncRetry(async () => {
    if (!enabled) {
      return undefined;
    }
    return (await api.listReplicas(entityRef)).items;
    // reportKey: a changed report (live, refreshed) may follow a replica's step
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, entityRef, enabled, reportKey]);
  const { retry } = state;
  const items = state.value;

  const creating = (items ?? []).some(r => r.status === 'creating');
  useEffect(() => {
    if (!creating) {
      return undefined;
    }
    const timer = setInterval(retry, REPLICA_POLL_MS);
    return () => clearInterval(timer);
  }, [creating, retry]);

  // which replicas are active, and which ready: their rows in the report
  const activeKey = items
    ?.filter(r => isActiveReplicaStatus(r.status))
    .map(r => `${r.id}:${r.status}:${r.expiresAt}`)
    .join(',');
  const seenKey = useRef<string>();
  const onReportRef = useRef(onReport);
  onReportRef.current = onReport;
  useEffect(() => {
    if (activeKey === undefined) {
      return;
    }
    const before = seenKey.current;
    seenKey.current = activeKey;
    if (before === undefined || before === activeKey || !onReportRef.current) {
      return;
    }
    api.getReport(entityRef).then(
      fresh => onReportRef.current?.(fresh),
      () => {
        // the live report's next read brings it
      },
    );
  }, [activeKey, api, entityRef]);

  return {
    settings: settings.loading ? undefined : settings.value,
    value: items,
    error: state.error,
    loading: settings.loading || state.loading,
    retry,
  };
}
