import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ScorecardFilter } from '@env-parity/plugin-env-parity-common';
import { onlyEnvironment, parseView, ScorecardView, viewSearch } from './query';

/**
 * The view of the scorecard page, kept in the URL's query string so that
 * links (e.g. from the team roll-up) open a filtered table, a link names the
 * environment it shows, and the browser's back button undoes a filter, an
 * environment, a sort or a page change.
 */
export function useScorecardView() {
  const [searchParams, setSearchParams] = useSearchParams();
  const search = searchParams.toString();
  const view = useMemo(() => parseView(new URLSearchParams(search)), [search]);

  const navigate = useCallback(
    (next: ScorecardView, options?: { replace?: boolean }) => {
      const nextSearch = viewSearch(next).toString();
      if (nextSearch !== search) {
        setSearchParams(new URLSearchParams(nextSearch), options);
      }
    },
    [search, setSearchParams],
  );

  /** Changes filters and goes back to the first page. */
  const setFilter = useCallback(
    (patch: Partial<ScorecardFilter>, options?: { replace?: boolean }) => {
      const filter: ScorecardFilter = { ...view.filter, ...patch };
      for (const key of Object.keys(filter) as (keyof ScorecardFilter)[]) {
        const value = filter[key];
        if (
          value === undefined ||
          value === false ||
          value === '' ||
          (Array.isArray(value) && value.length === 0)
        ) {
          delete filter[key];
        }
      }
      navigate({ ...view, filter, page: 1 }, options);
    },
    [navigate, view],
  );

  /** Clears the filters; the environment stays. */
  const clearFilters = useCallback(
    () => navigate({ ...view, filter: onlyEnvironment(view.filter), page: 1 }),
    [navigate, view],
  );

  /**
   * Shows another environment (or `worst`), keeping the filters and the
   * sort, from the first page.
   */
  const setEnvironment = useCallback(
    (environment: string | undefined, options?: { replace?: boolean }) =>
      navigate(
        { ...view, filter: { ...view.filter, environment }, page: 1 },
        options,
      ),
    [navigate, view],
  );

  /** Sorts by a column: a new column starts with its natural order. */
  const setSort = useCallback(
    (sort: ScorecardView['sort'], order: ScorecardView['order']) =>
      navigate({ ...view, sort, order, page: 1 }),
    [navigate, view],
  );

  const setPage = useCallback(
    (page: number) => navigate({ ...view, page }),
    [navigate, view],
  );

  const setPageSize = useCallback(
    (pageSize: number) => navigate({ ...view, pageSize, page: 1 }),
    [navigate, view],
  );

  return {
    view,
    setFilter,
    clearFilters,
    setEnvironment,
    setSort,
    setPage,
    setPageSize,
  };
}
