import { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import {
  Header,
  Page,
  Progress,
  TableColumn,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  Alignment,
  envParityAlignReviewPermission,
  finalAlignmentStatuses,
} from '@env-parity/plugin-env-parity-common';
import { AlignmentFilter, EnvParityApi } from '../../api';
import { isForbidden, statusOf } from '../shared/errors';
import { NotPermitted } from '../shared/NotPermitted';
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
import { Actor } from '../shared/Timeline';
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

type ListId = 'review' | 'mine' | 'open' | 'history';

const LISTS: Record<ListId, QueueSpec<AlignmentFilter>> = {
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

async function loadAlignments(
  api: EnvParityApi,
  filter: AlignmentFilter,
): Promise<Alignment[]> {
  return (await api.listAlignments(filter)).items;
}

function useList(filter: AlignmentFilter, enabled = true) {
  return useQueueList(loadAlignments, filter, enabled);
}

function AlignmentsTable(props: {
  id: ListId;
  items: Alignment[];
  onOpen: (id: string) => void;
  actions?: (alignment: Alignment) => ReactNode;
}) {
  const classes = useQueueStyles();
  const { id, items, onOpen, actions } = props;
  const linkTo = useAlignmentLink();
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
      render: a => (
        <OpenLink
          to={linkTo ? linkTo(a.id) : a.id}
          label="Open the alignment requested"
          at={a.createdAt}
        />
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
    <QueueTable<Alignment>
      spec={LISTS[id]}
      items={items}
      columns={columns}
      onOpen={onOpen}
    />
  );
}

/**
 * The lists of alignments: waiting for my approval, mine, under way and
 * history, with approve, deny and cancel on each row the caller may act
 * on. A row opens the alignment.
 */
export function AlignmentsOverview() {
  const classes = useQueueStyles();
  const navigate = useNavigate();
  const link = useAlignmentLink();
  const permitted = useAlignmentActions();
  const canReview = permitted.canReview;

  const lists: Record<ListId, ReturnType<typeof useList>> = {
    review: useList(LISTS.review.filter, canReview),
    mine: useList(LISTS.mine.filter),
    open: useList(LISTS.open.filter),
    history: useList(LISTS.history.filter),
  };
  const reloadAll = () => Object.values(lists).forEach(l => l.retry());
  const notice = useDecisionNotice(reloadAll);

  const decisions = useAlignmentDecisions({
    onDone: result => notice.done(alignmentConfirmation(result)),
    onConflict: notice.conflict,
  });

  const tabs: ListId[] = canReview
    ? ['review', 'mine', 'open', 'history']
    : ['mine', 'open', 'history'];
  const [tab, setTab] = useQueueTab(tabs);

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
    return (
      <div className={classes.rowActions}>
        {allowed.map(action => (
          <Button
            key={action}
            size="small"
            variant={action === 'approve' ? 'contained' : 'outlined'}
            color={action === 'approve' ? 'primary' : 'secondary'}
            onClick={stopping(() => decisions.start(a, action))}
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

  const body = queueBody(
    list,
    error => {
      if (statusOf(error) === 404) {
        return (
          <Alert severity="info">
            Aligning environments with production is not enabled in this
            Backstage (the backend's envParity.align is not configured).
          </Alert>
        );
      }
      if (isForbidden(error)) {
        return (
          <NotPermitted
            what={tab === 'review' ? 'review alignments' : 'see alignments'}
            permissions={
              tab === 'review'
                ? [envParityAlignReviewPermission.name]
                : ALIGN_PERMISSION_NAMES
            }
          />
        );
      }
      return undefined;
    },
    items => (
      <AlignmentsTable
        id={tab}
        items={items}
        onOpen={open}
        actions={
          items.some(a => permitted.allowed(a).length) ? rowActions : undefined
        }
      />
    ),
  );

  return (
    <QueueTabs
      title="Alignments"
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

/** One alignment on its own page, `/env-parity/alignments/:id`. */
export function AlignmentPage() {
  return (
    <QueueItemPage back="All alignments">
      {id => <AlignmentDetails id={id} />}
    </QueueItemPage>
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
    <QueueRoutes lists={<AlignmentsOverview />} item={<AlignmentPage />} />
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
