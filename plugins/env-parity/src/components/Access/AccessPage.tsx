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
import { usePermission } from '@backstage/plugin-permission-react';
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
  AccessRequest,
  envParityAccessReviewPermission,
  finalAccessRequestStatuses,
} from '@env-parity/plugin-env-parity-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { AccessRequestFilter, envParityApiRef } from '../../api';
import { EmptyList } from '../shared/EmptyList';
import { Time } from '../shared/Time';
import { AccessRequestDetails, useDecisions } from './AccessRequestDetails';
import { AccessStatusChip } from './AccessStatusChip';
import { Actor } from './AccessTimeline';
import { Countdown } from './Countdown';
import {
  GRANTED_STATUSES,
  confirmation,
  formatDuration,
  isForbidden,
} from './format';
import { ACCESS_PERMISSION_NAMES, NotPermitted } from './NotPermitted';
import { useAccessRequestLink } from './routes';

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

type ListId = 'review' | 'mine' | 'active' | 'history';

const LISTS: Record<
  ListId,
  { label: string; filter: AccessRequestFilter; empty: [string, string] }
> = {
  review: {
    label: 'Waiting for my review',
    filter: { reviewable: true },
    empty: [
      'Nothing is waiting for you',
      'Requests for access to environments your teams own show up here for you to approve or deny, and so do break-glass accesses to review after the fact.',
    ],
  },
  mine: {
    label: 'My requests',
    filter: { mine: true },
    empty: [
      'You have not asked for access',
      'When you need to check whether something is also broken in production, open the Parity tab of the service and request read-only access. Your requests and their state show up here.',
    ],
  },
  active: {
    label: 'Active grants',
    filter: { status: GRANTED_STATUSES },
    empty: [
      'No access is active now',
      'Read-only access you hold, or that you approve for others, shows up here with the time it ends.',
    ],
  },
  history: {
    label: 'History',
    filter: { status: [...finalAccessRequestStatuses] },
    empty: [
      'No finished requests yet',
      'Requests that expired, were revoked, denied, withdrawn or timed out stay here as the audit record.',
    ],
  },
};

/** The time that matters for a request in a list. */
function Ends(props: { request: AccessRequest; onElapsed: () => void }) {
  const { request: r, onElapsed } = props;
  if (
    (r.status === 'active' || r.status === 'provisioning-failed') &&
    r.expiresAt
  ) {
    return (
      <Countdown
        to={r.expiresAt}
        prefix="access ends in"
        elapsed="expired"
        onElapsed={onElapsed}
      />
    );
  }
  if (r.status === 'pending') {
    return (
      <Countdown
        to={r.reviewDeadline}
        prefix="review closes in"
        elapsed="timed out"
        onElapsed={onElapsed}
      />
    );
  }
  if (r.resolvedAt) {
    return <Time at={r.resolvedAt} prefix="ended" />;
  }
  if (r.expiresAt) {
    return <Time at={r.expiresAt} />;
  }
  return <>{formatDuration(r.durationMinutes)}</>;
}

function RequestsTable(props: {
  id: ListId;
  items: AccessRequest[];
  onOpen: (id: string) => void;
  onReload: () => void;
  actions?: (request: AccessRequest) => ReactNode;
}) {
  const classes = useStyles();
  const { id, items, onOpen, onReload, actions } = props;
  const linkTo = useAccessRequestLink();
  const spec = LISTS[id];
  const columns: TableColumn<AccessRequest>[] = [
    {
      title: 'Service',
      field: 'entityRef',
      render: r => <EntityRefLink entityRef={r.entityRef} hideIcon />,
    },
    { title: 'Environment', field: 'environment' },
    {
      title: 'Requester',
      field: 'requester',
      render: r => <Actor actor={r.requester} />,
    },
    {
      title: 'Status',
      field: 'status',
      render: r => (
        <>
          <AccessStatusChip status={r.status} />
          {r.breakGlass && (
            <Typography variant="caption" color="error" display="block">
              break-glass
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Created',
      field: 'createdAt',
      // the row opens on a click; this link opens it from the keyboard too
      render: r => (
        <Link
          to={linkTo ? linkTo(r.id) : r.id}
          onClick={event => event.stopPropagation()}
        >
          <span className={classes.visuallyHidden}>
            Open the request created{' '}
          </span>
          <Time at={r.createdAt} />
        </Link>
      ),
    },
    {
      title: id === 'history' ? 'Ended' : 'Time left',
      field: 'expiresAt',
      sorting: false,
      render: r => <Ends request={r} onElapsed={onReload} />,
    },
  ];
  if (actions) {
    columns.splice(3, 0, {
      title: 'Reason',
      field: 'reason',
      render: r => (
        <span className={classes.reason}>
          {r.reason}
          {r.ticket ? ` (${r.ticket})` : ''}
        </span>
      ),
    });
    columns.push({
      title: 'Decide',
      sorting: false,
      render: r => actions(r),
    });
  }
  return (
    <Table<AccessRequest>
      title={spec.label}
      options={{
        paging: items.length > 20,
        pageSize: 20,
        search: items.length > 5,
        padding: 'dense',
        // a drag handle (focusable) inside each sortable header's button
        // nests interactive controls; reordering columns is not needed
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

function useList(filter: AccessRequestFilter, enabled = true) {
  const api = useApi(envParityApiRef);
  const key = JSON.stringify(filter);
  return useAsyncRetry(
    async () =>
      enabled
        ? (await api.listAccessRequests({ ...filter, limit: 200 })).items
        : [],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key, enabled],
  );
}

/**
 * The lists of access requests: waiting for my review, my requests, active
 * grants and history. A row opens the request.
 */
export function AccessRequestsOverview() {
  const classes = useStyles();
  const navigate = useNavigate();
  const link = useAccessRequestLink();
  const review = usePermission({
    permission: envParityAccessReviewPermission,
  });
  const canReview = review.allowed;
  const [searchParams, setSearchParams] = useSearchParams();
  const [notice, setNotice] = useState<{
    severity: 'success' | 'warning';
    text: string;
  }>();

  const lists: Record<ListId, ReturnType<typeof useList>> = {
    review: useList(LISTS.review.filter, canReview),
    mine: useList(LISTS.mine.filter),
    active: useList(LISTS.active.filter),
    history: useList(LISTS.history.filter),
  };
  const reloadAll = () => Object.values(lists).forEach(l => l.retry());

  const decisions = useDecisions({
    onDone: result => {
      setNotice({
        severity: 'success',
        text: confirmation(result),
      });
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
    ? ['review', 'mine', 'active', 'history']
    : ['mine', 'active', 'history'];
  const requested = searchParams.get('tab') as ListId | null;
  const tab: ListId =
    requested && tabs.includes(requested) ? requested : tabs[0];

  if (review.loading) {
    return <Progress />;
  }

  const open = (id: string) => navigate(link ? link(id) : id);
  const list = lists[tab];

  const reviewActions = (r: AccessRequest) => {
    const stop = (fn: () => void) => (event: MouseEvent) => {
      event.stopPropagation();
      fn();
    };
    if (r.status !== 'pending') {
      return (
        <Button
          size="small"
          variant="outlined"
          color="primary"
          onClick={stop(() => decisions.start(r, 'review'))}
        >
          Mark reviewed
        </Button>
      );
    }
    return (
      <div className={classes.rowActions}>
        <Button
          size="small"
          variant="contained"
          color="primary"
          onClick={stop(() => decisions.start(r, 'approve'))}
        >
          Approve
        </Button>
        <Button
          size="small"
          variant="outlined"
          color="secondary"
          onClick={stop(() => decisions.start(r, 'deny'))}
        >
          Deny
        </Button>
      </div>
    );
  };

  let body: ReactNode;
  if (list.error) {
    body = isForbidden(list.error) ? (
      <NotPermitted
        what={
          tab === 'review' ? 'review access requests' : 'see access requests'
        }
        permissions={
          tab === 'review'
            ? [envParityAccessReviewPermission.name]
            : ACCESS_PERMISSION_NAMES
        }
      />
    ) : (
      <ResponseErrorPanel error={list.error} />
    );
  } else if (!list.value) {
    body = <Progress />;
  } else {
    body = (
      <RequestsTable
        id={tab}
        items={list.value}
        onOpen={open}
        onReload={list.retry}
        actions={tab === 'review' ? reviewActions : undefined}
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
          aria-label="Access requests"
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

/** One access request on its own page, `/env-parity/access/:id`. */
export function AccessRequestPage() {
  const { id } = useParams();
  return (
    <>
      <Box mb={2}>
        <Link to="..">
          <Box component="span" display="inline-flex" alignItems="center">
            <ArrowBackIcon fontSize="small" />
            &nbsp;All access requests
          </Box>
        </Link>
      </Box>
      <Paper>
        <Box p={3}>{id && <AccessRequestDetails id={id} />}</Box>
      </Paper>
    </>
  );
}

/**
 * The access requests page: the lists, and each request at `:id`. The
 * content only; the app frame adds the header in the new frontend system.
 *
 * @public
 */
export function AccessPage() {
  return (
    <Content>
      <Routes>
        <Route path="/" element={<AccessRequestsOverview />} />
        <Route path="/:id" element={<AccessRequestPage />} />
      </Routes>
    </Content>
  );
}

/**
 * {@link AccessPage} with its own header, for the legacy frontend system.
 *
 * @public
 */
export function LegacyAccessPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Access requests"
        subtitle="Temporary read-only access to services in protected environments"
      />
      <AccessPage />
    </Page>
  );
}
