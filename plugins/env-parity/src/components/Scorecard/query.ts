import {
  SCORECARD_MAX_PAGE_SIZE,
  SCORECARD_SORT_FIELDS,
  ScorecardFilter,
  ScorecardQuery,
  scorecardQueryParams,
  ScorecardSortField,
  Verdict,
  VERDICTS,
} from '@env-parity/plugin-env-parity-common';

/** The page sizes offered by the table; the first is the default. */
export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = PAGE_SIZES[0];
export const DEFAULT_SORT: ScorecardSortField = 'score';
export const DEFAULT_ORDER = 'asc';

/** Everything the page shows, as kept in the URL's query string. */
export interface ScorecardView {
  filter: ScorecardFilter;
  sort: ScorecardSortField;
  order: 'asc' | 'desc';
  /** 1-based. */
  page: number;
  pageSize: number;
}

/** Longer environment names in a URL are dropped, not sent. */
const MAX_ENVIRONMENT_LENGTH = 100;

const LIST_FILTERS = [
  'owner',
  'system',
  'kind',
  'lifecycle',
  'verdict',
] as const;

function values(params: URLSearchParams, name: string): string[] | undefined {
  const items = params
    .getAll(name)
    .flatMap(v => v.split(','))
    .map(v => v.trim())
    .filter(Boolean);
  return items.length ? [...new Set(items)] : undefined;
}

function positive(value: string | null): number | undefined {
  if (!value || !/^\d+$/.test(value)) {
    return undefined;
  }
  const n = Number(value);
  return n >= 1 ? n : undefined;
}

/** The view in a query string; values it does not understand are dropped. */
export function parseView(params: URLSearchParams): ScorecardView {
  const filter: ScorecardFilter = {};
  for (const name of LIST_FILTERS) {
    const list = values(params, name);
    if (list) {
      if (name === 'verdict') {
        const verdicts = list.filter(v => VERDICTS.includes(v as Verdict));
        if (verdicts.length) {
          filter.verdict = verdicts as Verdict[];
        }
      } else {
        filter[name] = list;
      }
    }
  }
  const q = params.get('q')?.trim();
  if (q) {
    filter.q = q;
  }
  if (params.get('ownedByMe') === 'true') {
    filter.ownedByMe = true;
  }
  const environment = params.get('environment')?.trim();
  if (environment && environment.length <= MAX_ENVIRONMENT_LENGTH) {
    filter.environment = environment;
  }
  const sort = params.get('sort');
  const order = params.get('order');
  const pageSize = positive(params.get('pageSize'));
  return {
    filter,
    sort: SCORECARD_SORT_FIELDS.includes(sort as ScorecardSortField)
      ? (sort as ScorecardSortField)
      : DEFAULT_SORT,
    order: order === 'desc' || order === 'asc' ? order : DEFAULT_ORDER,
    page: positive(params.get('page')) ?? 1,
    pageSize:
      pageSize && pageSize <= SCORECARD_MAX_PAGE_SIZE
        ? pageSize
        : DEFAULT_PAGE_SIZE,
  };
}

/** The query string of a view; defaults are left out. */
export function viewSearch(view: ScorecardView): URLSearchParams {
  return scorecardQueryParams({
    ...view.filter,
    sort: view.sort === DEFAULT_SORT ? undefined : view.sort,
    order: view.order === DEFAULT_ORDER ? undefined : view.order,
    page: view.page === 1 ? undefined : view.page,
    pageSize: view.pageSize === DEFAULT_PAGE_SIZE ? undefined : view.pageSize,
  });
}

/** The query string of a filter alone. */
export function filterSearch(filter: ScorecardFilter): URLSearchParams {
  return scorecardQueryParams(onlyFilter(filter));
}

/** The backend request of the table for a view: always explicit. */
export function tableQuery(view: ScorecardView): ScorecardQuery {
  return {
    ...view.filter,
    sort: view.sort,
    order: view.order,
    page: view.page,
    pageSize: view.pageSize,
  };
}

/** The filter part of a query, without sort and page. */
export function onlyFilter(query: ScorecardQuery): ScorecardFilter {
  const { sort, order, page, pageSize, ...filter } = query;
  return filter;
}

/**
 * Whether any filter is set. The environment is not a filter: it says which
 * comparison the page shows, and clearing the filters keeps it.
 */
export function hasFilter(filter: ScorecardFilter): boolean {
  return Boolean(
    LIST_FILTERS.some(name => filter[name]?.length) ||
      filter.q ||
      filter.ownedByMe,
  );
}

/** The filter reduced to its environment: what clearing the filters leaves. */
export function onlyEnvironment(filter: ScorecardFilter): ScorecardFilter {
  return filter.environment ? { environment: filter.environment } : {};
}

/** The filter without its owners: what the team roll-up compares. */
export function withoutOwner(filter: ScorecardFilter): ScorecardFilter {
  const { owner, ...rest } = filter;
  return rest;
}

/** A stable key of a request, for effect dependencies. */
export function requestKey(value: object): string {
  return scorecardQueryParams(value as ScorecardQuery).toString();
}
