import { ReactNode, useMemo } from 'react';
import {
  Content,
  ContentHeader,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  SCORECARD_DEFAULT_TREND_DAYS,
  ScorecardFilter,
  ScorecardPage as ScorecardPageResult,
  ScorecardQuery,
  ScorecardSortField,
  ScorecardSummary,
  ScorecardTrend,
  TeamRollup,
  Verdict,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { envParityApiRef } from '../../api';
import {
  comparisonTitle,
  environmentTitle,
  isKnownEnvironment,
  isWorst,
  useScorecardEnvironments,
} from './environments';
import { EnvironmentSelect } from './EnvironmentSelect';
import { isForbidden } from './errors';
import { ExportButton } from './ExportButton';
import { envTitle, ownerName } from './format';
import {
  hasFilter,
  requestKey,
  ScorecardView,
  tableQuery,
  withoutOwner,
} from './query';
import { useScorecardLink } from './routes';
import {
  ForbiddenEmptyState,
  NoMatchEmptyState,
  NothingComparedEmptyState,
  NothingTrackedEmptyState,
} from './ScorecardEmptyStates';
import { ScorecardFilters } from './ScorecardFilters';
import { ScorecardTable } from './ScorecardTable';
import { SummaryTiles } from './SummaryTiles';
import { TeamRollupTable } from './TeamRollupTable';
import { TrendChart } from './TrendChart';
import { useScorecardView } from './useScorecardView';

const useStyles = makeStyles(theme => ({
  stack: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(3),
  },
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
  },
}));

function HiddenNote() {
  return (
    <Alert severity="info">
      Some of the catalog's access rules could not be applied to these counts:
      totals may include services you cannot see. Only services you may see are
      listed.
    </Alert>
  );
}

/** The URL names an environment the scorecard does not have. */
function UnknownEnvironmentNote(props: {
  name: string;
  shown: string;
  reference?: string;
}) {
  return (
    <Alert severity="warning">
      {props.name === props.reference
        ? `${envTitle(
            props.name,
          )} is the reference environment, which every other one is compared with`
        : `The scorecard has no environment named "${props.name}"`}
      : showing {props.shown} instead. Pick one with the Environment selector.
    </Alert>
  );
}

/**
 * The catalog-wide scorecard: which services' environments no longer
 * represent production, which teams carry the most drift, and whether it is
 * getting better. The environment compared with production (or each
 * service's worst one), filters, sort and page live in the URL.
 */
export function ScorecardContent() {
  const classes = useStyles();
  const api = useApi(envParityApiRef);
  const {
    view: urlView,
    setFilter,
    clearFilters,
    setEnvironment,
    setSort,
    setPage,
    setPageSize,
  } = useScorecardView();
  const scorecardLink = useScorecardLink();
  const environments = useScorecardEnvironments();
  const filtered = hasFilter(urlView.filter);

  // an environment the scorecard does not have is not asked for: the
  // backend's default is shown instead, with a note
  const requested = urlView.filter.environment;
  const unknownEnvironment =
    requested && isKnownEnvironment(requested, environments.value) === false
      ? requested
      : undefined;
  const view = useMemo(
    () =>
      unknownEnvironment
        ? {
            ...urlView,
            filter: { ...urlView.filter, environment: undefined },
          }
        : urlView,
    [urlView, unknownEnvironment],
  );
  const environment = view.filter.environment;

  const filterKey = requestKey(view.filter);
  const query = useMemo(() => tableQuery(view), [view]);
  const queryKey = requestKey(query);
  const teamsFilter = useMemo(() => withoutOwner(view.filter), [view.filter]);
  const teamsKey = requestKey(teamsFilter);
  const trendOwner =
    view.filter.owner?.length === 1 ? view.filter.owner[0] : undefined;

  // an environment named by the URL is asked for once it is known to exist
  const waiting =
    requested !== undefined &&
    isKnownEnvironment(requested, environments.value) === undefined &&
    environments.loading;
  const unlessWaiting = <T,>(request: () => Promise<T>) =>
    waiting ? new Promise<T>(() => {}) : request();

  /* eslint-disable react-hooks/exhaustive-deps -- keyed by the request */
  const summary = useAsync(
    () => unlessWaiting(() => api.getScorecardSummary(view.filter)),
    [api, filterKey, waiting],
  );
  const table = useAsync(
    () => unlessWaiting(() => api.getScorecard(query)),
    [api, queryKey, waiting],
  );
  const teams = useAsync(
    () => unlessWaiting(() => api.getScorecardTeams(teamsFilter)),
    [api, teamsKey, waiting],
  );
  const trend = useAsync(
    () =>
      unlessWaiting(() =>
        api.getScorecardTrend({
          owner: trendOwner,
          days: SCORECARD_DEFAULT_TREND_DAYS,
          environment,
        }),
      ),
    [api, trendOwner, environment, waiting],
  );
  /* eslint-enable react-hooks/exhaustive-deps */

  const owners = useMemo(
    () =>
      (teams.value?.items ?? [])
        .map(item => item.owner)
        .filter((o): o is string => Boolean(o)),
    [teams.value],
  );

  if (
    isForbidden(summary.error) ||
    isForbidden(table.error) ||
    isForbidden(environments.error)
  ) {
    return <ForbiddenEmptyState />;
  }

  // which comparison is shown: the one asked for, else what the backend
  // says it showed, else its default
  const referenceEnvironment =
    environments.value?.reference ??
    summary.value?.referenceEnvironment ??
    table.value?.items[0]?.referenceEnvironment ??
    'production';
  const comparedEnvironment =
    environment ??
    environments.value?.defaultEnvironment ??
    summary.value?.comparedEnvironment ??
    table.value?.items[0]?.comparedEnvironment ??
    'staging';
  const worst = isWorst(comparedEnvironment);
  const titleOf = (name: string) => environmentTitle(name, environments.value);
  const comparedTitle = titleOf(comparedEnvironment);
  const referenceTitle = envTitle(referenceEnvironment);
  const comparison = comparisonTitle(
    comparedEnvironment,
    referenceEnvironment,
    environments.value,
  );

  const toolbar = (
    <div className={classes.toolbar}>
      <Typography variant="h5" component="h2">
        {comparison}
      </Typography>
      {environments.value && (
        <EnvironmentSelect
          environments={environments.value}
          value={comparedEnvironment}
          onChange={setEnvironment}
        />
      )}
    </div>
  );

  let body: ReactNode;
  if (summary.loading && !summary.value && table.loading && !table.value) {
    body = <Progress aria-label="Loading the scorecard" />;
  } else if (
    !filtered &&
    summary.value?.tracked === 0 &&
    !table.value?.totalCount
  ) {
    body = environment ? (
      <NothingComparedEmptyState
        comparedTitle={comparedTitle}
        referenceTitle={referenceTitle}
        worst={worst}
      />
    ) : (
      <NothingTrackedEmptyState />
    );
  } else {
    body = (
      <ScorecardBody
        view={view}
        query={query}
        filtered={filtered}
        owners={owners}
        summary={summary}
        table={table}
        teams={teams}
        trend={trend}
        teamsFilter={teamsFilter}
        trendOwner={trendOwner}
        scorecardLink={scorecardLink}
        comparison={comparison}
        comparedTitle={comparedTitle}
        referenceTitle={referenceTitle}
        worst={worst}
        environmentTitle={titleOf}
        onFilter={setFilter}
        onClear={clearFilters}
        onSort={setSort}
        onPage={setPage}
        onPageSize={setPageSize}
      />
    );
  }

  return (
    <div className={classes.stack}>
      {toolbar}
      {unknownEnvironment && (
        <UnknownEnvironmentNote
          name={unknownEnvironment}
          shown={comparedTitle}
          reference={environments.value?.reference}
        />
      )}
      {body}
    </div>
  );
}

type AsyncValue<T> = { loading: boolean; error?: Error; value?: T };

/** Filters, tiles, table, team roll-up and trend of one comparison. */
function ScorecardBody(props: {
  view: ScorecardView;
  query: ScorecardQuery;
  filtered: boolean;
  owners: string[];
  summary: AsyncValue<ScorecardSummary>;
  table: AsyncValue<ScorecardPageResult>;
  teams: AsyncValue<TeamRollup>;
  trend: AsyncValue<ScorecardTrend>;
  teamsFilter: ScorecardFilter;
  trendOwner?: string;
  scorecardLink?: (filter?: ScorecardFilter) => string;
  comparison: string;
  comparedTitle: string;
  referenceTitle: string;
  worst: boolean;
  environmentTitle: (name: string) => string;
  onFilter: (patch: Partial<ScorecardFilter>) => void;
  onClear: () => void;
  onSort: (sort: ScorecardSortField, order: 'asc' | 'desc') => void;
  onPage: (page: number) => void;
  onPageSize: (pageSize: number) => void;
}) {
  const { view, filtered, summary, table, teams, trend, trendOwner } = props;
  const hidden =
    summary.value?.totalsMayIncludeHidden ||
    table.value?.totalsMayIncludeHidden;
  const noMatch = filtered && table.value?.totalCount === 0;
  const scope = trendOwner ? ownerName(trendOwner) : 'whole catalog';

  return (
    <>
      <ScorecardFilters
        filter={view.filter}
        owners={props.owners}
        onChange={props.onFilter}
        onClear={props.onClear}
      />
      {hidden && <HiddenNote />}
      {summary.error ? (
        <ResponseErrorPanel error={summary.error} />
      ) : (
        <SummaryTiles
          summary={summary.value}
          loading={summary.loading}
          comparedTitle={props.comparedTitle}
          worst={props.worst}
          onShowVerdict={(verdict: Verdict) =>
            props.onFilter({ verdict: [verdict] })
          }
        />
      )}
      <InfoCard
        title="Services"
        subheader={
          table.value &&
          `${table.value.totalCount} service${
            table.value.totalCount === 1 ? '' : 's'
          }${filtered ? ' match the filters' : ''}, ${props.comparison}`
        }
        action={
          <ExportButton
            query={props.query}
            disabled={table.value?.totalCount === 0}
          />
        }
        noPadding
      >
        {table.error && <ResponseErrorPanel error={table.error} />}
        {!table.error && noMatch && (
          <NoMatchEmptyState
            ownedByMe={view.filter.ownedByMe}
            onClear={props.onClear}
          />
        )}
        {!table.error && !noMatch && (
          <ScorecardTable
            rows={table.value?.items ?? []}
            totalCount={table.value?.totalCount ?? 0}
            page={view.page}
            pageSize={view.pageSize}
            sort={view.sort}
            order={view.order}
            loading={table.loading}
            referenceTitle={props.referenceTitle}
            comparedTitle={props.comparedTitle}
            worst={props.worst}
            environmentTitle={props.environmentTitle}
            onSort={props.onSort}
            onPage={props.onPage}
            onPageSize={props.onPageSize}
          />
        )}
      </InfoCard>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <InfoCard
            title="Teams"
            subheader={`Per owner, worst average score first${
              view.filter.owner?.length ? ' (all owners)' : ''
            }, ${props.comparison}`}
            noPadding
          >
            {teams.loading && !teams.value && (
              <Progress aria-label="Loading the team roll-up" />
            )}
            {teams.error && <ResponseErrorPanel error={teams.error} />}
            {teams.value && teams.value.items.length === 0 && (
              <Typography style={{ padding: 16 }} color="textSecondary">
                No owners to show for these filters.
              </Typography>
            )}
            {teams.value && teams.value.items.length > 0 && (
              <TeamRollupTable
                items={teams.value.items}
                filter={props.teamsFilter}
                linkTo={props.scorecardLink}
                selected={view.filter.owner}
              />
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <InfoCard
            title="Trend"
            subheader={`Last ${SCORECARD_DEFAULT_TREND_DAYS} days, ${scope}, ${props.comparison}`}
          >
            {trend.loading && !trend.value && (
              <Progress aria-label="Loading the trend" />
            )}
            {trend.error && <ResponseErrorPanel error={trend.error} />}
            {trend.value && trend.value.items.length === 0 && (
              <Typography color="textSecondary">
                No history yet: the scorecard records one point a day, so the
                trend starts filling in after the backend's first daily run.
              </Typography>
            )}
            {trend.value && trend.value.items.length > 0 && (
              <TrendChart
                trend={trend.value}
                scope={`${
                  trendOwner ? ownerName(trendOwner) : 'the whole catalog'
                }, ${props.comparison}`}
              />
            )}
            {trend.value?.totalsMayIncludeHidden && (
              <Typography variant="caption" color="textSecondary">
                These daily figures are recorded once for everyone and may count
                services you cannot see.
              </Typography>
            )}
          </InfoCard>
        </Grid>
      </Grid>
    </>
  );
}

/**
 * The scorecard as a page of its own, with a header: for the legacy frontend
 * system. The new frontend system's page supplies the header itself.
 */
export function ScorecardPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Env Parity"
        subtitle="Is this also broken in production? Every environment of the catalog's services against production"
      />
      <Content>
        <ContentHeader title="Scorecard" />
        <ScorecardContent />
      </Content>
    </Page>
  );
}

/** The scorecard for the new frontend system's page. */
export function ScorecardPageContent() {
  return (
    // the page blueprint renders no main landmark
    <Box component="main">
      <Content>
        <ScorecardContent />
      </Content>
    </Box>
  );
}
