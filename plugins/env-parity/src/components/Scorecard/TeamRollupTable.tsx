import { Link } from '@backstage/core-components';
import { EntityDisplayName } from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  ScorecardFilter,
  TeamRollupItem,
  Verdict,
  VERDICTS,
} from '@env-parity/plugin-env-parity-common';
import { VerdictChip } from '../EnvParityContent/VerdictChip';
import { driftAge, ownerName, percent, score } from './format';

const useStyles = makeStyles(theme => ({
  verdicts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 1),
    alignItems: 'center',
  },
  verdict: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    whiteSpace: 'nowrap',
  },
  nowrap: {
    whiteSpace: 'nowrap',
  },
  head: {
    whiteSpace: 'nowrap',
    '& th': { whiteSpace: 'nowrap' },
  },
}));

/** The verdicts worth listing first: the bad ones. */
const VERDICT_ORDER: Verdict[] = [
  'behind',
  'diverged',
  'tag-mismatch',
  'different',
  'config-drift',
  'ahead',
  'in-sync',
];

/**
 * Per owner: how many services, the share in parity, the average score and
 * the count per verdict, worst first; each owner links to the table
 * filtered to that owner. Services with an unknown verdict are counted
 * apart and left out of the share and the average: an owner whose every
 * service is unknown has no average and comes last.
 */
export function TeamRollupTable(props: {
  items: TeamRollupItem[];
  /** The link to the table filtered to an owner; absent: no links. */
  linkTo?: (filter: ScorecardFilter) => string;
  /** The filters other than owner, kept in the links. */
  filter: ScorecardFilter;
  /** Owners the table is filtered to, highlighted. */
  selected?: string[];
}) {
  const classes = useStyles();
  const order = VERDICT_ORDER.filter(v => VERDICTS.includes(v));
  return (
    <TableContainer
      tabIndex={0}
      role="region"
      aria-label="Team roll-up, scrollable"
    >
      <Table size="small" aria-label="Team roll-up">
        <TableHead className={classes.head}>
          <TableRow>
            <TableCell>Owner</TableCell>
            <TableCell align="right">Services</TableCell>
            <TableCell align="right">In parity</TableCell>
            <TableCell align="right">Average score</TableCell>
            <TableCell>Verdicts</TableCell>
            <TableCell align="right">Unknown</TableCell>
            <TableCell align="right">Longest drift</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.items.map(item => {
            const name = ownerName(item.owner);
            return (
              <TableRow
                key={item.owner ?? '(none)'}
                hover
                selected={Boolean(
                  item.owner && props.selected?.includes(item.owner),
                )}
              >
                <TableCell
                  component="th"
                  scope="row"
                  role="rowheader"
                  className={classes.nowrap}
                >
                  {item.owner && props.linkTo ? (
                    <Link
                      to={props.linkTo({
                        ...props.filter,
                        owner: [item.owner],
                      })}
                      title={`Show the services of ${name}`}
                    >
                      <EntityDisplayName
                        entityRef={item.owner}
                        defaultKind="group"
                        hideIcon
                        disableTooltip
                      />
                    </Link>
                  ) : (
                    <Typography
                      variant="body2"
                      color={item.owner ? 'textPrimary' : 'textSecondary'}
                    >
                      {name}
                    </Typography>
                  )}
                </TableCell>
                <TableCell align="right">{item.tracked}</TableCell>
                <TableCell align="right" className={classes.nowrap}>
                  {percent(item.inParityShare)} ({item.inParity})
                </TableCell>
                <TableCell align="right">
                  {item.averageScore === undefined ? (
                    <Typography variant="body2" color="textSecondary">
                      no known verdict
                    </Typography>
                  ) : (
                    score(item.averageScore)
                  )}
                </TableCell>
                <TableCell>
                  <div className={classes.verdicts}>
                    {order
                      .filter(v => item.verdicts[v])
                      .map(v => (
                        <span key={v} className={classes.verdict}>
                          <VerdictChip verdict={v} />
                          <span aria-label={`${item.verdicts[v]} ${v}`}>
                            ×{item.verdicts[v]}
                          </span>
                        </span>
                      ))}
                  </div>
                </TableCell>
                <TableCell
                  align="right"
                  title={
                    item.unknown
                      ? 'No verdict: not deployed, or no provider could read it. Left out of the share and the average.'
                      : undefined
                  }
                >
                  {item.unknown ?? 0}
                </TableCell>
                <TableCell align="right" className={classes.nowrap}>
                  {item.maxDriftAgeDays === undefined
                    ? '—'
                    : driftAge(item.maxDriftAgeDays)}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
