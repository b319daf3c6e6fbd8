import { MouseEvent, ReactNode, useState } from 'react';
import {
  Route,
  Routes,
  useNavigate,
  useParams,
  useSearchParams,
} from 'react-router-dom';
import {
  Content,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ArrowBackIcon from '@material-ui/icons/ArrowBack';
import Alert from '@material-ui/lab/Alert';
import {
  Alignment,
  envParityAlignReviewPermission,
  finalAlignmentStatuses,
} from '@env-parity/plugin-env-parity-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { AlignmentFilter, envParityApiRef } from '../../api';
import { EmptyList } from '../shared/EmptyList';
import { isForbidden, statusOf } from '../shared/errors';
import { NotPermitted } from '../shared/NotPermitted';
import { Actor } from '../shared/Timeline';
import { Time } from '../shared/Time';
import {
  alignmentActionLabel,
  useAlignmentDecisions,
} from './AlignmentDecisionDialog';
import { ALIGN_PERMISSION_NAMES, AlignmentDetails } from './AlignmentDetails';
import { AlignmentStatusChip } from './AlignmentStatusChip';
import {
  alignmentConfirmation,
  OPEN_ALIGNMENT_STATUSES,
  progressLabel,
  targetLabel,
} from './format';
import { useAlignmentLink } from './routes';
import { useAlignmentActions } from './useAlignmentActions';

const useStyles = makeStyles(theme => ({
  tabs: {
    marginBottom: theme.spacing(2),
  },
  reason: {
    // the whole reason: an approver decides on it
    display: 'block',
    minWidth: 200,
    maxWidth: 480,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
  visuallyHidden: {
    position: 'absolute',
    width: 1,
    height: 1,
    padding: 0,
    margin: -1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
    border: 0,
  },
  rowActions: {
    display: 'flex',
    gap: theme.spacing(1),
    whiteSpace: 'nowrap',
  },
}));

type ListId = 'review' | 'mine' | 'open' | 'history';

const LISTS: Record<
  ListId,
  { label: string; filter: AlignmentFilter; empty: [string, string] }
> = {
  review: {
    label: 'Waiting for my approval',
    filter: { reviewable: true },
    empty: [
      'Nothing is waiting for you',
      'Requests to align environments your teams approve show up here for you to approve or deny.',
    ],
  },
  mine: {
    label: 'My alignments',
    filter: { mine: true },
    empty: [
      'You have not asked to align anything',
      'When an environment no longer runs what production runs, open the Parity tab of the service and choose Align with production. What you asked for and its state show up here.',
    ],
  },
  open: {
    label: 'Under way',
    filter: { status: OPEN_ALIGNMENT_STATUSES },
    empty: [
      'No alignment is under way',
      'Alignments waiting for approval, being deployed or being verified show up here.',
    ],
  },
  history: {
    label: 'History',
    filter: { status: [...finalAlignmentStatuses] },
    empty: [
      'No finished alignments yet',
      'Alignments that were verified, denied, cancelled, failed or timed out stay here as the audit record.',
    ],
  },
};

function useList(filter: AlignmentFilter, enabled = true) {
  const api = useApi(envParityApiRef);
  const key = JSON.stringify(filter);
  return useAsyncRetry(
    async () =>
      enabled
        ? (await api.listAlignments({ ...filter, limit: 200 })).items
        : [],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key, enabled],
  );
}

function AlignmentsTable(props: {
  id: ListId;
  items: Alignment[];
  onOpen: (id: string) => void;
  actions?: (alignment: Alignment) => ReactNode;
}) {
  const classes = useStyles();
  const { id, items, onOpen, actions } = props;
  const linkTo = useAlignmentLink();
  const spec = LISTS[id];
  const columns: TableColumn<Alignment>[] = [
    {
      title: 'Service',
      field: 'entityRef',
      render: a => <EntityRefLink entityRef={a.entityRef} hideIcon />,
    },
    { title: 'Environment', field: 'environment' },
    {
      title: 'Target',
      field: 'target.version',
      render: a => targetLabel(a.target),
    },
    {
      title: 'Requester',
      field: 'requester',
      render: a => <Actor actor={a.requester} />,
    },
    {
      title: 'Reason',
      field: 'reason',
      render: a => <span className={classes.reason}>{a.reason}</span>,
    },
    {
      title: 'Status',
      field: 'status',
      render: a => (
        <>
          <AlignmentStatusChip status={a.status} />
          <Typography variant="caption" color="textSecondary" display="block">
            {progressLabel(a)}
          </Typography>
        </>
      ),
    },
    {
      title: 'Requested',
      field: 'createdAt',
      // the row opens on a click; this link opens it from the keyboard too
      render: a => (
        <Link
          to={linkTo ? linkTo(a.id) : a.id}
          onClick={event => event.stopPropagation()}
        >
          <span className={classes.visuallyHidden}>
            Open the alignment requested{' '}
          </span>
          <Time at={a.createdAt} />
        </Link>
      ),
    },
  ];
  if (actions) {
    columns.push({
      title: 'Decide',
      sorting: false,
      render: a => actions(a),
    });
  }
  return (
    <Table<Alignment>
      title={spec.label}
      options={{
        paging: items.length > 20,
        pageSize: 20,
        search: items.length > 5,
        padding: 'dense',
        draggable: false,
      }}
      columns={columns}
      // material-table writes into its rows
      data={items.map(i => ({ ...i }))}
      onRowClick={(_event, row) => row && onOpen(row.id)}
      emptyContent={<EmptyList title={spec.empty[0]} text={spec.empty[1]} />}
    />
  );
}

/**
 * The lists of alignments: waiting for my approval, mine, under way and
 * history, with approve, deny and cancel on each row the caller may act
 * on. A row opens the alignment.
 */
export function AlignmentsOverview() {
  const classes = useStyles();
  const navigate = useNavigate();
  const link = useAlignmentLink();
  const permitted = useAlignmentActions();
  const canReview = permitted.canReview;
  const [searchParams, setSearchParams] = useSearchParams();
  const [notice, setNotice] = useState<{
    severity: 'success' | 'warning';
    text: string;
  }>();

  const lists: Record<ListId, ReturnType<typeof useList>> = {
    review: useList(LISTS.review.filter, canReview),
    mine: useList(LISTS.mine.filter),
    open: useList(LISTS.open.filter),
    history: useList(LISTS.history.filter),
  };
  const reloadAll = () => Object.values(lists).forEach(l => l.retry());

  const decisions = useAlignmentDecisions({
    onDone: result => {
      setNotice({ severity: 'success', text: alignmentConfirmation(result) });
      reloadAll();
    },
    onConflict: message => {
      setNotice({
        severity: 'warning',
        text: `Someone else decided first: ${message}. The lists have been reloaded.`,
      });
      reloadAll();
    },
  });

  const tabs: ListId[] = canReview
    ? ['review', 'mine', 'open', 'history']
    : ['mine', 'open', 'history'];
  const requested = searchParams.get('tab') as ListId | null;
  const tab: ListId =
    requested && tabs.includes(requested) ? requested : tabs[0];

  if (permitted.loading) {
    return <Progress />;
  }

  const open = (id: string) => navigate(link ? link(id) : id);
  const list = lists[tab];

  const rowActions = (a: Alignment) => {
    const allowed = permitted.allowed(a);
    if (!allowed.length) {
      return null;
    }
    const stop = (fn: () => void) => (event: MouseEvent) => {
      event.stopPropagation();
      fn();
    };
    return (
      <div className={classes.rowActions}>
        {allowed.map(action => (
          <Button
            key={action}
            size="small"
            variant={action === 'approve' ? 'contained' : 'outlined'}
            color={action === 'approve' ? 'primary' : 'secondary'}
            onClick={stop(() => decisions.start(a, action))}
            aria-label={`${alignmentActionLabel(action)} aligning ${
              a.environment
            } of ${a.entityRef}`}
          >
            {alignmentActionLabel(action)}
          </Button>
        ))}
      </div>
    );
  };

  let body: ReactNode;
  if (list.error) {
    if (statusOf(list.error) === 404) {
      body = (
        <Alert severity="info">
          Aligning environments with production is not enabled in this Backstage
          (the backend's envParity.align is not configured).
        </Alert>
      );
    } else if (isForbidden(list.error)) {
      body = (
        <NotPermitted
          what={tab === 'review' ? 'review alignments' : 'see alignments'}
          permissions={
            tab === 'review'
              ? [envParityAlignReviewPermission.name]
              : ALIGN_PERMISSION_NAMES
          }
        />
      );
    } else {
      body = <ResponseErrorPanel error={list.error} />;
    }
  } else if (!list.value) {
    body = <Progress />;
  } else {
    body = (
      <AlignmentsTable
        id={tab}
        items={list.value}
        onOpen={open}
        actions={
          list.value.some(a => permitted.allowed(a).length)
            ? rowActions
            : undefined
        }
      />
    );
  }

  return (
    <>
      <Paper className={classes.tabs}>
        <Tabs
          value={tab}
          onChange={(_e, value: ListId) =>
            setSearchParams({ tab: value }, { replace: true })
          }
          indicatorColor="primary"
          textColor="primary"
          variant="scrollable"
          aria-label="Alignments"
        >
          {tabs.map(id => {
            const count = lists[id].value?.length;
            const showCount = id !== 'history' && count !== undefined;
            return (
              <Tab
                key={id}
                value={id}
                label={`${LISTS[id].label}${showCount ? ` (${count})` : ''}`}
              />
            );
          })}
        </Tabs>
      </Paper>
      {notice && (
        <Box mb={2}>
          <Alert
            severity={notice.severity}
            onClose={() => setNotice(undefined)}
          >
            {notice.text}
          </Alert>
        </Box>
      )}
      <div role="tabpanel" aria-label={LISTS[tab].label}>
        {body}
      </div>
      {decisions.dialog}
    </>
  );
}

/** One alignment on its own page, `/env-parity/alignments/:id`. */
export function AlignmentPage() {
  const { id } = useParams();
  return (
    <>
      <Box mb={2}>
        <Link to="..">
          <Box component="span" display="inline-flex" alignItems="center">
            <ArrowBackIcon fontSize="small" />
            &nbsp;All alignments
          </Box>
        </Link>
      </Box>
      <Paper>
        <Box p={3}>{id && <AlignmentDetails id={id} />}</Box>
      </Paper>
    </>
  );
}

/**
 * The alignments page: the lists, and each alignment at `:id`. The content
 * only; the app frame adds the header in the new frontend system.
 *
 * @public
 */
export function AlignmentsPage() {
  return (
    <Content>
      <Routes>
        <Route path="/" element={<AlignmentsOverview />} />
        <Route path="/:id" element={<AlignmentPage />} />
      </Routes>
    </Content>
  );
}

/**
 * {@link AlignmentsPage} with its own header, for the legacy frontend system.
 *
 * @public
 */
export function LegacyAlignmentsPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Alignments"
        subtitle="Environments aligned with production: waiting for approval, under way and done"
      />
      <AlignmentsPage />
    </Page>
  );
}
