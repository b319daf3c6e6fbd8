import { useCallback, useState } from 'react';
import { ProbeResult } from '@env-parity/plugin-env-parity-common';

/** How many probes are kept per entity. */
export const MAX_RECENT_PROBES = 10;

const key = (entityRef: string) => `env-parity:probes:${entityRef}`;

function load(entityRef: string): ProbeResult[] {
  try {
    const raw = window.sessionStorage.getItem(key(entityRef));
    const parsed = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/**
 * The probes of this browser session for one entity, newest first: kept in
 * sessionStorage (so they survive switching tabs; gone when the browser tab
 * closes), or in memory only when storage is full or unavailable.
 */
export function useRecentProbes(entityRef: string) {
  const [state, setState] = useState(() => ({
    entityRef,
    probes: load(entityRef),
  }));
  const probes = state.entityRef === entityRef ? state.probes : load(entityRef);

  const add = useCallback(
    (result: ProbeResult) => {
      setState(previous => {
        const current =
          previous.entityRef === entityRef ? previous.probes : load(entityRef);
        const next = [result, ...current.filter(p => p.id !== result.id)].slice(
          0,
          MAX_RECENT_PROBES,
        );
        try {
          window.sessionStorage.setItem(key(entityRef), JSON.stringify(next));
        } catch {
          // quota exceeded or storage disabled: memory only
        }
        return { entityRef, probes: next };
      });
    },
    [entityRef],
  );

  return { probes, add };
}
