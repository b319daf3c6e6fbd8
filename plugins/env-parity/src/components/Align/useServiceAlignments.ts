import { useEffect } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  Alignment,
  isFinalAlignmentStatus,
} from '@env-parity/plugin-env-parity-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { envParityApiRef } from '../../api';

/** Reload this often while an alignment is under way. */
export const ALIGN_POLL_MS = 15_000;

/** A service's alignments as the Parity tab reads them. */
export interface ServiceAlignments {
  /** Newest first; undefined until loaded. */
  value?: Alignment[];
  /** A 404 means alignment is not configured. */
  error?: Error;
  loading: boolean;
  retry: () => void;
}

/**
 * The alignments of one service the caller may see, newest first, reloaded
 * while one is under way: read once for the whole Parity tab (the matrix
 * shows the one under way on each environment, the Align section all).
 */
export function useServiceAlignments(entityRef: string): ServiceAlignments {
  const api = useApi(envParityApiRef);
  const state = useAsyncRetry(
    async () => (await api.listAlignments({ entityRef, limit: 50 })).items,
    [api, entityRef],
  );
  const { retry } = state;
  const underWay = (state.value ?? []).some(
    a => !isFinalAlignmentStatus(a.status),
  );
  useEffect(() => {
    if (!underWay) {
      return undefined;
    }
    const timer = setInterval(retry, ALIGN_POLL_MS);
    return () => clearInterval(timer);
  }, [underWay, retry]);
  return {
    value: state.value,
    error: state.error,
    loading: state.loading,
    retry,
  };
}

/** The alignment under way on an environment, if any. */
export function openAlignmentOf(
  alignments: Alignment[] | undefined,
  environment: string,
): Alignment | undefined {
  return alignments?.find(
    a => a.environment === environment && !isFinalAlignmentStatus(a.status),
  );
}
