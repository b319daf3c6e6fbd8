import { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import {
  Header,
  Page,
  Progress,
  TableColumn,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  AccessRequest,
  envParityAccessReviewPermission,
  finalAccessRequestStatuses,
} from '@env-parity/plugin-env-parity-common';
import { AccessRequestFilter, EnvParityApi } from '../../api';
import {
  OpenLink,
  QueueItemPage,
  QueueRoutes,
  QueueSpec,
  QueueTable,
  QueueTabs,
  queueBody,
  stopping,
  useDecisionNotice,
  useQueueList,
  useQueueStyles,
  useQueueTab,
} from '../shared/Queue';
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

type ListId = 'review' | 'mine' | 'active' | 'history';

const LISTS: Record<ListId, QueueSpec<AccessRequestFilter>> = {
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
  const classes = useQueueStyles();
  const { id, items, onOpen, onReload, actions } = props;
  const linkTo = useAccessRequestLink();
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
      render: r => (
        <OpenLink
          to={linkTo ? linkTo(r.id) : r.id}
          label="Open the request created"
          at={r.createdAt}
        />
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
    <QueueTable<AccessRequest>
      spec={LISTS[id]}
      items={items}
      columns={columns}
      onOpen={onOpen}
    />
  );
}

async function loadAccessRequests(
  api: EnvParityApi,
  filter: AccessRequestFilter,
): Promise<AccessRequest[]> {
  return (await api.listAccessRequests(filter)).items;
}

function useList(filter: AccessRequestFilter, enabled = true) {
  return useQueueList(loadAccessRequests, filter, enabled);
}

/**
 * The lists of access requests: waiting for my review, my requests, active
 * grants and history. A row opens the request.
 */
export function AccessRequestsOverview() {
  const classes = useQueueStyles();
  const navigate = useNavigate();
  const link = useAccessRequestLink();
  const review = usePermission({
    permission: envParityAccessReviewPermission,
  });
  const canReview = review.allowed;

  const lists: Record<ListId, ReturnType<typeof useList>> = {
    review: useList(LISTS.review.filter, canReview),
    mine: useList(LISTS.mine.filter),
    active: useList(LISTS.active.filter),
    history: useList(LISTS.history.filter),
  };
  const reloadAll = () => Object.values(lists).forEach(l => l.retry());
  const notice = useDecisionNotice(reloadAll);

  const decisions = useDecisions({
    onDone: result => notice.done(confirmation(result)),
    onConflict: notice.conflict,
  });

  const tabs: ListId[] = canReview
    ? ['review', 'mine', 'active', 'history']
    : ['mine', 'active', 'history'];
  const [tab, setTab] = useQueueTab(tabs);

  if (review.loading) {
    return <Progress />;
  }

  const open = (id: string) => navigate(link ? link(id) : id);
  const list = lists[tab];

  const reviewActions = (r: AccessRequest) => {
    if (r.status !== 'pending') {
      return (
        <Button
          size="small"
          variant="outlined"
          color="primary"
          onClick={stopping(() => decisions.start(r, 'review'))}
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
          onClick={stopping(() => decisions.start(r, 'approve'))}
        >
          Approve
        </Button>
        <Button
          size="small"
          variant="outlined"
          color="secondary"
          onClick={stopping(() => decisions.start(r, 'deny'))}
        >
          Deny
        </Button>
      </div>
    );
  };

  const body = queueBody(
    list,
    error =>
      isForbidden(error) ? (
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
      ) : undefined,
    items => (
      <RequestsTable
        id={tab}
        items={items}
        onOpen={open}
        onReload={list.retry}
        actions={tab === 'review' ? reviewActions : undefined}
      />
    ),
  );

  return (
    <QueueTabs
      title="Access requests"
      specs={LISTS}
      tabs={tabs}
      tab={tab}
      onTab={setTab}
      count={id => (id === 'history' ? undefined : lists[id].value?.length)}
      notice={notice}
      dialog={decisions.dialog}
    >
      {body}
    </QueueTabs>
  );
}

/** One access request on its own page, `/env-parity/access/:id`. */
export function AccessRequestPage() {
  return (
    <QueueItemPage back="All access requests">
      {id => <AccessRequestDetails id={id} />}
    </QueueItemPage>
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
    <QueueRoutes
      lists={<AccessRequestsOverview />}
      item={<AccessRequestPage />}
    />
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
