import { useCallback, useEffect, useMemo, useState } from 'react';
import { storageApiRef, useApi } from '@backstage/core-plugin-api';
import { useLocation } from 'react-router-dom';

/**
 * The Parity tab's sections below the summary and the matrix, in page order:
 * their ids are the deep links (`…/parity#compare`).
 */
export const SECTIONS = [
  {
    id: 'drift',
    title: 'Drift',
    description: 'how each environment differs from the reference',
    open: true,
  },
  {
    id: 'align',
    title: 'Align',
    description: 'deploy what the reference runs',
    // the matrix shows an alignment under way; the section is a click away
    open: false,
  },
  {
    id: 'compare',
    title: 'Compare',
    description: 'ask every environment the same request',
    open: false,
  },
  {
    id: 'reproduce',
    title: 'Reproduce',
    description: 'run exactly what the reference runs',
    open: false,
  },
  {
    id: 'access',
    title: 'Access',
    description: 'temporary read-only access',
    open: true,
  },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

/** The StorageApi bucket and key of the sections' open or closed state. */
export const SECTIONS_BUCKET = 'env-parity';
export const SECTIONS_KEY = 'parityTab.sections';

type Stored = Partial<Record<SectionId, boolean>>;

function isSectionId(id: string): id is SectionId {
  return SECTIONS.some(s => s.id === id);
}

/**
 * Which sections are open: each user's choice, remembered in the StorageApi,
 * else the section's default; a section the URL's fragment names
 * (`#compare`) is open too, until the user closes it, without changing what
 * is remembered.
 */
export function useSections() {
  const storageApi = useApi(storageApiRef);
  const bucket = useMemo(
    () => storageApi.forBucket(SECTIONS_BUCKET),
    [storageApi],
  );
  const [stored, setStored] = useState<Stored>(
    () => bucket.snapshot<Stored>(SECTIONS_KEY).value ?? {},
  );
  useEffect(() => {
    const subscription = bucket
      .observe$<Stored>(SECTIONS_KEY)
      .subscribe(snapshot => setStored(snapshot.value ?? {}));
    return () => subscription.unsubscribe();
  }, [bucket]);

  const location = useLocation();
  const fragment = decodeURIComponent(location.hash.replace(/^#/, ''));
  const linked = isSectionId(fragment) ? fragment : undefined;
  // the link the user followed last (a new history entry each time), so
  // that following the same link again scrolls to it again
  const [dismissed, setDismissed] = useState<string>();
  const linkKey = linked ? `${location.key}#${linked}` : undefined;

  const isOpen = useCallback(
    (id: SectionId) =>
      (linked === id && dismissed !== linkKey) ||
      (stored[id] ?? SECTIONS.find(s => s.id === id)!.open),
    [linked, linkKey, dismissed, stored],
  );

  const toggle = useCallback(
    (id: SectionId) => {
      const open = !isOpen(id);
      if (!open && linked === id) {
        setDismissed(linkKey);
      }
      const next = { ...stored, [id]: open };
      setStored(next);
      bucket.set(SECTIONS_KEY, next);
    },
    [isOpen, linked, linkKey, stored, bucket],
  );

  return {
    isOpen,
    toggle,
    /** The section the URL links to, with a key new for each visit of it. */
    linked:
      linked && linkKey !== dismissed
        ? { id: linked, key: linkKey! }
        : undefined,
  };
}
