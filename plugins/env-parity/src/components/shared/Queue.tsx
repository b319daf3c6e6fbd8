import { MouseEvent, ReactNode, useState } from 'react';
import { Route, Routes, useParams, useSearchParams } from 'react-router-dom';
import {
  Content,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { makeStyles } from '@material-ui/core/styles';
import ArrowBackIcon from '@material-ui/icons/ArrowBack';
import Alert from '@material-ui/lab/Alert';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { EnvParityApi, envParityApiRef } from '../../api';
import { EmptyList } from './EmptyList';
import { Time } from './Time';

/*
 * A page of queues (access requests, alignments): tabs of lists of items
 * a caller asked for or decides on, a notice after a decision, and each
 * item on its own page at `:id`.
 */

/** Styles of a queue page and of its tables' cells. */
export const useQueueStyles = makeStyles(theme => ({
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

/** What one tab of a queue page lists, and what it says when empty. */
export type QueueSpec<F> = {
  label: string;
  filter: F;
  empty: [string, string];
};

/** One list of a queue page, loaded (up to 200 items) unless disabled. */
export function useQueueList<F, T>(
  load: (api: EnvParityApi, filter: F & { limit: number }) => Promise<T[]>,
  filter: F,
  enabled = true,
) {
  const api = useApi(envParityApiRef);
  const key = JSON.stringify(filter);
  return useAsyncRetry(
    async () => (enabled ? await load(api, { ...filter, limit: 200 }) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key, enabled],
  );
}

/** The open tab, kept in the `tab` search parameter; the first by default. */
export function useQueueTab<Id extends string>(
  tabs: Id[],
): [Id, (id: Id) => void] {
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get('tab') as Id | null;
  const tab = requested && tabs.includes(requested) ? requested : tabs[0];
  return [tab, id => setSearchParams({ tab: id }, { replace: true })];
}

type Notice = { severity: 'success' | 'warning'; text: string };

/**
 * The notice after a decision; each decision reloads what shows it.
 * `conflicted` says that someone else decided first (by default, on lists).
 */
export function useDecisionNotice(
  reload: () => void,
  conflicted: (message: string) => string = message =>
    `Someone else decided first: ${message}. The lists have been reloaded.`,
) {
  const [notice, setNotice] = useState<Notice>();
  return {
    notice,
    clear: () => setNotice(undefined),
    done: (text: string) => {
      setNotice({ severity: 'success', text });
      reload();
    },
    conflict: (message: string) => {
      setNotice({ severity: 'warning', text: conflicted(message) });
      reload();
    },
  };
}

/** The notice of {@link useDecisionNotice}, closable. */
export function DecisionNotice(props: {
  notice: ReturnType<typeof useDecisionNotice>;
}) {
  const { notice, clear } = props.notice;
  return notice ? (
    <Alert severity={notice.severity} onClose={clear}>
      {notice.text}
    </Alert>
  ) : null;
}

/** A click handler of a button in a row: the row itself does not open. */
export function stopping(fn: () => void) {
  return (event: MouseEvent) => {
    event.stopPropagation();
    fn();
  };
}

/** The tabs, the notice and the open tab's body of a queue page. */
export function QueueTabs<Id extends string>(props: {
  title: string;
  specs: Record<Id, { label: string }>;
  tabs: Id[];
  tab: Id;
  onTab: (id: Id) => void;
  /** How many items a tab holds, shown after its label when known. */
  count: (id: Id) => number | undefined;
  notice: ReturnType<typeof useDecisionNotice>;
  children: ReactNode;
  dialog: ReactNode;
}) {
  const classes = useQueueStyles();
  const { title, specs, tabs, tab, onTab, count, notice } = props;
  return (
    <>
      <Paper className={classes.tabs}>
        <Tabs
          value={tab}
          onChange={(_e, value: Id) => onTab(value)}
          indicatorColor="primary"
          textColor="primary"
          variant="scrollable"
          aria-label={title}
        >
          {tabs.map(id => {
            const n = count(id);
            return (
              <Tab
                key={id}
                value={id}
                label={`${specs[id].label}${n !== undefined ? ` (${n})` : ''}`}
              />
            );
          })}
        </Tabs>
      </Paper>
      {notice.notice && (
        <Box mb={2}>
          <DecisionNotice notice={notice} />
        </Box>
      )}
      <div role="tabpanel" aria-label={specs[tab].label}>
        {props.children}
      </div>
      {props.dialog}
    </>
  );
}

/**
 * The body of a tab: its error (`error` may say something of its own,
 * else the error panel), progress, or its items.
 */
export function queueBody<T>(
  list: { error?: Error; value?: T[] },
  error: (error: Error) => ReactNode | undefined,
  items: (items: T[]) => ReactNode,
): ReactNode {
  if (list.error) {
    return error(list.error) ?? <ResponseErrorPanel error={list.error} />;
  }
  if (!list.value) {
    return <Progress />;
  }
  return items(list.value);
}

/** A table of a queue: a row opens its item. */
export function QueueTable<T extends { id: string }>(props: {
  spec: QueueSpec<unknown>;
  items: T[];
  columns: TableColumn<T>[];
  onOpen: (id: string) => void;
}) {
  const { spec, items, columns, onOpen } = props;
  return (
    <Table<T>
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

/**
 * The time of a row as a link to its item: the row opens on a click, this
 * link opens it from the keyboard too. `label` is read before the time.
 */
export function OpenLink(props: { to: string; label: string; at: string }) {
  const classes = useQueueStyles();
  return (
    <Link to={props.to} onClick={event => event.stopPropagation()}>
      <span className={classes.visuallyHidden}>{props.label} </span>
      <Time at={props.at} />
    </Link>
  );
}

/** One item on its own page (`…/:id`), with a link back to the lists. */
export function QueueItemPage(props: {
  back: string;
  children: (id: string) => ReactNode;
}) {
  const { id } = useParams();
  return (
    <>
      <Box mb={2}>
        <Link to="..">
          <Box component="span" display="inline-flex" alignItems="center">
            <ArrowBackIcon fontSize="small" />
            &nbsp;{props.back}
          </Box>
        </Link>
      </Box>
      <Paper>
        <Box p={3}>{id && props.children(id)}</Box>
      </Paper>
    </>
  );
}

/** The routes of a queue page: the lists at `/`, each item at `/:id`. */
export function QueueRoutes(props: { lists: ReactNode; item: ReactNode }) {
  return (
    <Content>
      <Routes>
        <Route path="/" element={props.lists} />
        <Route path="/:id" element={props.item} />
      </Routes>
    </Content>
  );
}
