import { useMemo } from 'react';
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
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  SCORECARD_DEFAULT_TREND_DAYS,
  Verdict,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { envParityApiRef } from '../../api';
import { isForbidden } from './errors';
import { ExportButton } from './ExportButton';
import { ownerName } from './format';
import { hasFilter, requestKey, tableQuery, withoutOwner } from './query';
import { useScorecardLink } from './routes';
import {
  ForbiddenEmptyState,
  NoMatchEmptyState,
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

/**
 * The catalog-wide scorecard: which services' pre-production environment no
 * longer represents production, which teams carry the most drift, and
 * whether it is getting better. Filters, sort and page live in the URL.
 */
export function ScorecardContent() {
  const classes = useStyles();
  const api = useApi(envParityApiRef);
  const { view, setFilter, clearFilters, setSort, setPage, setPageSize } =
    useScorecardView();
  const scorecardLink = useScorecardLink();
  const filtered = hasFilter(view.filter);

  const filterKey = requestKey(view.filter);
  const query = useMemo(() => tableQuery(view), [view]);
  const queryKey = requestKey(query);
  const teamsFilter = useMemo(() => withoutOwner(view.filter), [view.filter]);
  const teamsKey = requestKey(teamsFilter);
  const trendOwner =
    view.filter.owner?.length === 1 ? view.filter.owner[0] : undefined;

  /* eslint-disable react-hooks/exhaustive-deps -- keyed by the request */
  const summary = useAsync(
    () => api.getScorecardSummary(view.filter),
    [api, filterKey],
  );
  const table = useAsync(() => api.getScorecard(query), [api, queryKey]);
  const teams = useAsync(
    () => api.getScorecardTeams(teamsFilter),
    [api, teamsKey],
  );
  const trend = useAsync(
    () =>
      api.getScorecardTrend({
        owner: trendOwner,
        days: SCORECARD_DEFAULT_TREND_DAYS,
      }),
    [api, trendOwner],
  );
  /* eslint-enable react-hooks/exhaustive-deps */

  const owners = useMemo(
    () =>
      (teams.value?.items ?? [])
        .map(item => item.owner)
        .filter((o): o is string => Boolean(o)),
    [teams.value],
  );

  if (isForbidden(summary.error) || isForbidden(table.error)) {
    return <ForbiddenEmptyState />;
  }
  if (summary.loading && !summary.value && table.loading && !table.value) {
    return <Progress aria-label="Loading the scorecard" />;
  }
  if (!filtered && summary.value?.tracked === 0 && !table.value?.totalCount) {
    return <NothingTrackedEmptyState />;
  }

  const hidden =
    summary.value?.totalsMayIncludeHidden ||
    table.value?.totalsMayIncludeHidden;
  const referenceEnvironment =
    summary.value?.referenceEnvironment ??
    table.value?.items[0]?.referenceEnvironment ??
    'production';
  const comparedEnvironment =
    summary.value?.comparedEnvironment ??
    table.value?.items[0]?.comparedEnvironment ??
    'staging';
  const noMatch = filtered && table.value?.totalCount === 0;

  return (
    <div className={classes.stack}>
      <ScorecardFilters
        filter={view.filter}
        owners={owners}
        onChange={setFilter}
        onClear={clearFilters}
      />
      {hidden && <HiddenNote />}
      {summary.error ? (
        <ResponseErrorPanel error={summary.error} />
      ) : (
        <SummaryTiles
          summary={summary.value}
          loading={summary.loading}
          onShowVerdict={(verdict: Verdict) =>
            setFilter({ verdict: [verdict] })
          }
        />
      )}
      <InfoCard
        title="Services"
        subheader={
          table.value &&
          `${table.value.totalCount} service${
            table.value.totalCount === 1 ? '' : 's'
          }${filtered ? ' match the filters' : ''}`
        }
        action={
          <ExportButton
            query={query}
            disabled={table.value?.totalCount === 0}
          />
        }
        noPadding
      >
        {table.error && <ResponseErrorPanel error={table.error} />}
        {!table.error && noMatch && (
          <NoMatchEmptyState
            ownedByMe={view.filter.ownedByMe}
            onClear={clearFilters}
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
            referenceEnvironment={referenceEnvironment}
            comparedEnvironment={comparedEnvironment}
            onSort={setSort}
            onPage={setPage}
            onPageSize={setPageSize}
          />
        )}
      </InfoCard>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <InfoCard
            title="Teams"
            subheader={`Per owner, worst average score first${
              view.filter.owner?.length ? ' (all owners)' : ''
            }`}
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
                filter={teamsFilter}
                linkTo={scorecardLink}
                selected={view.filter.owner}
              />
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <InfoCard
            title="Trend"
            subheader={`Last ${SCORECARD_DEFAULT_TREND_DAYS} days, ${
              trendOwner ? ownerName(trendOwner) : 'whole catalog'
            }`}
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
                scope={trendOwner ? ownerName(trendOwner) : 'the whole catalog'}
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
    </div>
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
        subtitle="Is this also broken in production? The catalog's staging versus production"
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
    <Content>
      <ScorecardContent />
    </Content>
  );
}
