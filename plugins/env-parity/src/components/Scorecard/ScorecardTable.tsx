import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TablePagination from '@material-ui/core/TablePagination';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import WarningIcon from '@material-ui/icons/Warning';
import {
  describeUnknownReason,
  ScorecardRow,
  ScorecardSortField,
} from '@env-parity/plugin-env-parity-common';
import { VerdictChip } from '../EnvParityContent/VerdictChip';
import { exactTime, relativeTime } from '../EnvParityContent/format';
import { driftAge, systemName } from './format';
import { PAGE_SIZES } from './query';
import { useParityTabLink } from './useParityTabLink';

const useStyles = makeStyles(theme => ({
  progress: {
    height: 2,
  },
  progressPlaceholder: {
    height: 2,
  },
  version: {
    fontFamily: theme.typography.fontFamily,
    fontVariantNumeric: 'tabular-nums',
    overflowWrap: 'anywhere',
    maxWidth: 140,
  },
  head: {
    // long headers ("Pre-production version") wrap rather than widen the
    // table: it fits 1,024 px with the sidebar
    verticalAlign: 'bottom',
    lineHeight: 1.3,
  },
  table: {
    // below 1,280 px (a sidebar and nine columns) the cells' side padding
    // shrinks so the table fits 1,024 px
    [theme.breakpoints.down('md')]: {
      '& th, & td': {
        paddingLeft: theme.spacing(1),
        paddingRight: theme.spacing(1),
      },
    },
  },
  container: {
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
      outlineOffset: 2,
    },
  },
  verdict: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
  warning: {
    color: theme.palette.warning.main,
    fontSize: 18,
  },
  nowrap: {
    whiteSpace: 'nowrap',
  },
  service: {
    // room for a name such as notifications-worker on one line
    minWidth: 160,
  },
  reason: {
    maxWidth: 200,
  },
  loading: {
    opacity: 0.6,
    transition: 'opacity 200ms',
  },
}));

interface Column {
  title: string;
  /** Absent: the column cannot be sorted. */
  sort?: ScorecardSortField;
  /** The order a click on a new column starts with. */
  firstOrder: 'asc' | 'desc';
  numeric?: boolean;
}

function flip(order: 'asc' | 'desc'): 'asc' | 'desc' {
  return order === 'asc' ? 'desc' : 'asc';
}

function commits(row: ScorecardRow): string | undefined {
  const parts: string[] = [];
  if (row.commitsAhead) {
    parts.push(`${row.commitsAhead} ahead`);
  }
  if (row.commitsBehind) {
    parts.push(`${row.commitsBehind} behind`);
  }
  return parts.length ? `commits: ${parts.join(', ')}` : undefined;
}

/**
 * One page of the scorecard, sorted and paged by the backend: each header
 * and pagination control asks for another page through the callbacks. Each
 * service links to its Parity tab.
 */
export function ScorecardTable(props: {
  rows: ScorecardRow[];
  totalCount: number;
  page: number;
  pageSize: number;
  sort: ScorecardSortField;
  order: 'asc' | 'desc';
  loading: boolean;
  /** The title of the reference environment, e.g. `Production`. */
  referenceTitle: string;
  /** The title of the compared environment, e.g. `Staging`. */
  comparedTitle: string;
  /**
   * The worst environment view: a column names each service's worst
   * environment.
   */
  worst?: boolean;
  /** The title of an environment named by a row. */
  environmentTitle: (name: string) => string;
  onSort: (sort: ScorecardSortField, order: 'asc' | 'desc') => void;
  onPage: (page: number) => void;
  onPageSize: (pageSize: number) => void;
}) {
  const classes = useStyles();
  const parityTab = useParityTabLink();
  const { rows, totalCount, page, pageSize, sort, order } = props;
  const lastPage = Math.max(1, Math.ceil(totalCount / pageSize));
  const now = Date.now();

  const columns: Column[] = [
    { title: 'Service', sort: 'name', firstOrder: 'asc' },
    { title: 'Owner', sort: 'owner', firstOrder: 'asc' },
    {
      title: `${props.referenceTitle} version`,
      sort: 'referenceVersion',
      firstOrder: 'asc',
    },
    ...(props.worst
      ? [
          { title: 'Worst environment', firstOrder: 'asc' as const },
          {
            title: 'Version there',
            sort: 'comparedVersion' as const,
            firstOrder: 'asc' as const,
          },
        ]
      : [
          {
            title: `${props.comparedTitle} version`,
            sort: 'comparedVersion' as const,
            firstOrder: 'asc' as const,
          },
        ]),
    { title: 'Verdict', sort: 'verdict', firstOrder: 'asc' },
    { title: 'Score', sort: 'score', firstOrder: 'asc', numeric: true },
    { title: 'Drift age', sort: 'driftAge', firstOrder: 'desc', numeric: true },
    { title: 'Last observed', sort: 'lastObserved', firstOrder: 'asc' },
  ];

  return (
    <>
      {props.loading ? (
        <LinearProgress
          className={classes.progress}
          aria-label="Loading services"
        />
      ) : (
        <div className={classes.progressPlaceholder} />
      )}
      <TableContainer
        tabIndex={0}
        role="region"
        aria-label="Services, scrollable"
        className={classes.container}
      >
        <Table
          size="small"
          aria-label="Services"
          aria-busy={props.loading}
          className={`${classes.table} ${props.loading ? classes.loading : ''}`}
        >
          <TableHead>
            <TableRow>
              {columns.map(column => {
                const columnSort = column.sort;
                const active = columnSort === sort;
                return (
                  <TableCell
                    key={column.title}
                    align={column.numeric ? 'right' : 'left'}
                    sortDirection={active ? order : false}
                    className={classes.head}
                  >
                    {columnSort ? (
                      <TableSortLabel
                        active={active}
                        direction={active ? order : column.firstOrder}
                        onClick={() =>
                          props.onSort(
                            columnSort,
                            active ? flip(order) : column.firstOrder,
                          )
                        }
                      >
                        {column.title}
                      </TableSortLabel>
                    ) : (
                      column.title
                    )}
                  </TableCell>
                );
              })}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => {
              const link = parityTab(row);
              const name = row.title ?? row.name;
              const system = systemName(row.system);
              const commitText = commits(row);
              const unknown = row.verdict === 'unknown';
              return (
                <TableRow
                  key={`${row.entityRef} ${row.comparedEnvironment}`}
                  hover
                >
                  <TableCell
                    component="th"
                    scope="row"
                    role="rowheader"
                    className={classes.service}
                  >
                    {link ? <Link to={link}>{name}</Link> : name}
                    {system && (
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        display="block"
                      >
                        {system}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    {row.owner ? (
                      <EntityRefLink
                        entityRef={row.owner}
                        defaultKind="group"
                        hideIcon
                      />
                    ) : (
                      <Typography variant="body2" color="textSecondary">
                        No owner
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell className={classes.version}>
                    {row.referenceVersion ?? '—'}
                  </TableCell>
                  {props.worst && (
                    <TableCell>
                      {props.environmentTitle(row.comparedEnvironment)}
                    </TableCell>
                  )}
                  <TableCell className={classes.version}>
                    {row.comparedVersion ?? '—'}
                  </TableCell>
                  <TableCell>
                    <div className={classes.verdict}>
                      <VerdictChip verdict={row.verdict} />
                      {row.observationFailed && (
                        <Tooltip title="The last observation failed: these are the last good values">
                          <WarningIcon
                            className={classes.warning}
                            titleAccess="The last observation failed"
                          />
                        </Tooltip>
                      )}
                    </div>
                    {commitText && (
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        display="block"
                      >
                        {commitText}
                      </Typography>
                    )}
                    {unknown && (
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        display="block"
                        className={classes.reason}
                      >
                        {describeUnknownReason(row.unknownReason, {
                          compared: props.environmentTitle(
                            row.comparedEnvironment,
                          ),
                          reference: props.referenceTitle,
                        })}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell align="right">
                    {unknown ? (
                      // unknown is not a score of 0: none is shown
                      <Typography
                        variant="body2"
                        color="textSecondary"
                        component="span"
                        title="No score: the verdict is unknown"
                      >
                        —
                      </Typography>
                    ) : (
                      row.score
                    )}
                  </TableCell>
                  <TableCell align="right" className={classes.nowrap}>
                    {row.driftAgeDays === undefined
                      ? '—'
                      : driftAge(row.driftAgeDays)}
                  </TableCell>
                  <TableCell className={classes.nowrap}>
                    {row.lastObservedAt ? (
                      <Tooltip title={exactTime(row.lastObservedAt)}>
                        <span>{relativeTime(row.lastObservedAt, now)}</span>
                      </Tooltip>
                    ) : (
                      'never'
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
            {rows.length === 0 && totalCount > 0 && !props.loading && (
              <TableRow>
                <TableCell colSpan={columns.length}>
                  <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                    <Typography variant="body2">
                      Page {page} is past the last page ({lastPage}).
                    </Typography>
                    <Button
                      size="small"
                      color="primary"
                      onClick={() => props.onPage(1)}
                    >
                      Go to the first page
                    </Button>
                  </Box>
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </TableContainer>
      <TablePagination
        component="div"
        count={totalCount}
        page={Math.min(page, lastPage) - 1}
        rowsPerPage={pageSize}
        rowsPerPageOptions={
          PAGE_SIZES.includes(pageSize as (typeof PAGE_SIZES)[number])
            ? [...PAGE_SIZES]
            : [...PAGE_SIZES, pageSize].sort((a, b) => a - b)
        }
        onPageChange={(_, p) => props.onPage(p + 1)}
        onRowsPerPageChange={e => props.onPageSize(Number(e.target.value))}
      />
    </>
  );
}
