import { ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Grid from '@material-ui/core/Grid';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import RefreshIcon from '@material-ui/icons/Refresh';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  envParityReportReadPermission,
  envParityReportRefreshPermission,
  permissionDeniedMessage,
  reportObservedAt,
  ParityReport,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { envParityApiRef } from '../../api';
import { AnnotationsEmptyState } from './AnnotationsEmptyState';
import { DriftList } from './DriftList';
import { EnvironmentMatrix } from './EnvironmentMatrix';
import { VerdictChip } from './VerdictChip';
import { Section } from './Section';
import { SectionNav } from './SectionNav';
import { SECTIONS, SectionId, useSections } from './sections';
import { Score } from './Score';

const REFRESH_DENIED = permissionDeniedMessage(
  'refresh environment parity',
  envParityReportRefreshPermission.name,
);
import { exactTime, githubSlug, relativeTime } from './format';
import { ProbeSection } from '../Probe';
import { ReproduceCard } from '../Reproduce';
import { AccessRequestCard } from '../Access/AccessRequestCard';
import { AlignSection } from '../Align/AlignSection';
import { useServiceAlignments } from '../Align/useServiceAlignments';
import { useServiceReplicas } from '../Replica';
import { LiveReport } from './live';

const useStyles = makeStyles(theme => ({
  summary: {
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  closest: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1.5),
  },
  freshness: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1.5),
  },
  action: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    justifyContent: 'flex-end',
    gap: theme.spacing(1.5),
    paddingTop: theme.spacing(1),
    paddingRight: theme.spacing(1),
  },
}));

function isForbidden(error: Error): boolean {
  const e = error as Error & { statusCode?: number; cause?: Error };
  return (
    e.statusCode === 403 ||
    e.name === 'NotAllowedError' ||
    e.cause?.name === 'NotAllowedError'
  );
}

/** The server's own message for a ResponseError, else the error's message. */
/**
 * For a refresh refused by the per-user rate limit (429): "Refreshed too
 * often; try again in N s", N from `Retry-After` (or, where the browser does
 * not expose that header across origins, from the server's message).
 */
function tooOftenMessage(error: Error): string | undefined {
  const e = error as Error & {
    statusCode?: number;
    response?: { headers?: { get(name: string): string | null } };
  };
  if (e.statusCode !== 429) {
    return undefined;
  }
  const header = Number(e.response?.headers?.get('retry-after'));
  const fromMessage = /try again in (\d+) s/.exec(errorMessage(error))?.[1];
  const seconds =
    Number.isInteger(header) && header > 0 ? header : Number(fromMessage);
  return seconds > 0
    ? `Refreshed too often; try again in ${seconds} s`
    : 'Refreshed too often; try again later';
}

function errorMessage(error: Error): string {
  const e = error as Error & { body?: { error?: { message?: string } } };
  return e.body?.error?.message || error.message;
}

/** Re-renders every `intervalMs` so that relative times stay true. */
function useTick(intervalMs: number) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick(t => t + 1), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
}

function freshnessOf(report: ParityReport): { label: string; time: string } {
  // the one rule of "last observed", the scorecard's too
  const observed = reportObservedAt(report.environments);
  return observed
    ? { label: 'observed', time: observed }
    : { label: 'computed', time: report.generatedAt };
}

function RefreshControl(props: {
  report: ParityReport;
  refreshing: boolean;
  onRefresh: () => void;
  now: number;
}) {
  const classes = useStyles();
  const { report, refreshing, onRefresh, now } = props;
  const permission = usePermission({
    permission: envParityReportRefreshPermission,
  });
  // only an explicit denial disables the button; if the decision could not be
  // fetched, the backend still has the final word
  const denied =
    !permission.loading && !permission.allowed && !permission.error;
  const freshness = freshnessOf(report);
  // the button is disabled while refreshing, which drops the keyboard focus
  // to the page: give it back when the refresh that started from it ends
  const buttonRef = useRef<HTMLButtonElement>(null);
  const hadFocus = useRef(false);
  useEffect(() => {
    if (!refreshing && hadFocus.current) {
      hadFocus.current = false;
      if (!document.activeElement || document.activeElement === document.body) {
        buttonRef.current?.focus();
      }
    }
  }, [refreshing]);
  const button = (
    <Button
      ref={buttonRef}
      variant="outlined"
      size="small"
      color="primary"
      onClick={() => {
        hadFocus.current = document.activeElement === buttonRef.current;
        onRefresh();
      }}
      disabled={refreshing || denied}
      startIcon={
        refreshing ? (
          <CircularProgress size={16} aria-label="Refreshing" />
        ) : (
          <RefreshIcon />
        )
      }
    >
      {refreshing ? 'Refreshing…' : 'Refresh'}
    </Button>
  );
  return (
    <div className={classes.freshness}>
      <Tooltip title={exactTime(freshness.time)}>
        <Typography variant="body2" color="textSecondary">
          {freshness.label} {relativeTime(freshness.time, now)}
        </Typography>
      </Tooltip>
      {denied ? (
        <Tooltip title={REFRESH_DENIED}>
          <span>{button}</span>
        </Tooltip>
      ) : (
        button
      )}
    </div>
  );
}

function Summary(props: { report: ParityReport }) {
  const classes = useStyles();
  const { report } = props;
  const titleOf = (name: string) =>
    report.environments.find(e => e.name === name)?.title ?? name;
  const closest = report.comparisons.find(
    c => c.environment === report.closestToReference,
  );
  return (
    <>
      <Typography variant="h6" component="p" className={classes.summary}>
        {report.summary}
      </Typography>
      {closest && (
        <div className={classes.closest}>
          <Typography variant="body2" color="textSecondary" component="span">
            Closest to {titleOf(closest.against)}:
          </Typography>
          <Typography variant="body2" component="span">
            {titleOf(closest.environment)}
          </Typography>
          <VerdictChip verdict={closest.verdict} />
          <Score report={report} comparison={closest} />
        </div>
      )}
    </>
  );
}

/**
 * The Parity tab of an entity: what runs in each environment, how each one
 * drifts from the reference environment, and who owns it.
 *
 * @public
 */
export function EnvParityContent() {
  const classes = useStyles();
  const { entity } = useEntity();
  const api = useApi(envParityApiRef);
  const entityRef = stringifyEntityRef(entity);
  useTick(30_000);
  const now = Date.now();

  const initial = useAsync(() => api.getReport(entityRef), [api, entityRef]);
  const [refreshed, setRefreshed] = useState<{
    entityRef: string;
    report: ParityReport;
  }>();
  const [refreshState, refresh] = useAsyncFn(async () => {
    const report = await api.refresh(entityRef);
    setRefreshed({ entityRef, report });
    return report;
  }, [api, entityRef]);

  const report =
    refreshed?.entityRef === entityRef ? refreshed.report : initial.value;

  const alignments = useServiceAlignments(entityRef);
  // a replica that starts, becomes ready or ends changes the report's rows
  const replicas = useServiceReplicas(entityRef, report, fresh =>
    setRefreshed({ entityRef, report: fresh }),
  );
  const { isOpen, toggle, linked } = useSections();
  // sections whose content renders nothing (a card the policy denies)
  const [present, setPresent] = useState<Partial<Record<SectionId, boolean>>>(
    {},
  );
  const onPresence = useMemo(
    () =>
      Object.fromEntries(
        SECTIONS.map(s => [
          s.id,
          (shown: boolean) =>
            setPresent(current =>
              current[s.id] === shown ? current : { ...current, [s.id]: shown },
            ),
        ]),
      ) as Record<SectionId, (shown: boolean) => void>,
    [],
  );

  if (!report) {
    if (initial.loading) {
      return <Progress />;
    }
    if (initial.error && isForbidden(initial.error)) {
      return (
        <Alert severity="warning">
          <AlertTitle>
            {permissionDeniedMessage(
              'read environment parity',
              envParityReportReadPermission.name,
            )}
          </AlertTitle>
          Env Parity reports are restricted. Ask the owners of this component or
          your Backstage administrator for access.
        </Alert>
      );
    }
    if (initial.error) {
      return <ResponseErrorPanel error={initial.error} />;
    }
    return null;
  }

  const slug = githubSlug(entity);
  const referenceTitle =
    report.environments.find(e => e.name === report.reference)?.title ??
    'the reference';
  const noEnvironments = report.environments.length === 0;
  const noData =
    !noEnvironments && report.environments.every(e => e.status === 'missing');

  const sections: Array<{ id: SectionId; content: ReactNode }> = [];
  if (!noEnvironments && !noData && report.comparisons.length > 0) {
    sections.push({
      id: 'drift',
      content: (
        <InfoCard title={`Drift from ${referenceTitle}`}>
          <DriftList report={report} slug={slug} />
        </InfoCard>
      ),
    });
  }
  sections.push({
    id: 'align',
    content: (
      <AlignSection entity={entity} report={report} alignments={alignments} />
    ),
  });
  sections.push({
    id: 'compare',
    content: <ProbeSection entity={entity} report={report} />,
  });
  if (report.environments.some(e => e.reference && e.deployment)) {
    sections.push({
      id: 'reproduce',
      content: (
        <ReproduceCard entity={entity} report={report} replicas={replicas} />
      ),
    });
  }
  sections.push({
    id: 'access',
    content: <AccessRequestCard entity={entity} report={report} />,
  });
  const shown = sections
    .filter(section => present[section.id] !== false)
    .map(section => SECTIONS.find(s => s.id === section.id)!);

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard
          title={
            noEnvironments ? 'Env Parity' : `Parity with ${referenceTitle}`
          }
          action={
            <div className={classes.action}>
              {/* the report kept current without a click: signals, else polling */}
              <LiveReport
                entityRef={entityRef}
                onReport={live => setRefreshed({ entityRef, report: live })}
              />
              <RefreshControl
                report={report}
                refreshing={refreshState.loading}
                onRefresh={refresh}
                now={now}
              />
            </div>
          }
        >
          <Summary report={report} />
          {refreshState.error && !refreshState.loading && (
            <Box mt={2}>
              <Alert severity="error">
                {isForbidden(refreshState.error)
                  ? `Refresh failed. ${REFRESH_DENIED}`
                  : tooOftenMessage(refreshState.error) ??
                    `Refresh failed: ${errorMessage(refreshState.error)}`}
              </Alert>
            </Box>
          )}
          <SectionNav sections={shown} />
        </InfoCard>
      </Grid>
      {noEnvironments && (
        <Grid item xs={12}>
          <Alert severity="info">
            <AlertTitle>No environments are configured</AlertTitle>
            Env Parity compares the environments your Backstage administrator
            configures. None are configured yet.
          </Alert>
        </Grid>
      )}
      {noData && (
        <Grid item xs={12}>
          <AnnotationsEmptyState
            report={report}
            entityName={entity.metadata.name}
          />
        </Grid>
      )}
      {!noEnvironments && !noData && (
        <Grid item xs={12}>
          <InfoCard title="Environments" noPadding>
            <EnvironmentMatrix
              report={report}
              slug={slug}
              now={now}
              alignments={alignments.value}
              replicas={replicas.value}
            />
          </InfoCard>
        </Grid>
      )}
      {sections.map(({ id, content }) => {
        const section = SECTIONS.find(s => s.id === id)!;
        return (
          <Section
            key={id}
            id={id}
            title={section.title}
            description={
              // eslint-disable-next-line no-nested-ternary
              id === 'drift'
                ? `how each environment differs from ${referenceTitle}`
                : id === 'align'
                ? `deploy what ${referenceTitle} runs`
                : section.description
            }
            open={isOpen(id)}
            onToggle={() => toggle(id)}
            linkKey={linked?.id === id ? linked.key : undefined}
            onPresence={onPresence[id]}
          >
            {content}
          </Section>
        );
      })}
    </Grid>
  );
}
