import { ReactNode } from 'react';
import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Skeleton from '@material-ui/lab/Skeleton';
import {
  scorecardFollowing,
  ScorecardSummary,
  Verdict,
} from '@env-parity/plugin-env-parity-common';
import { driftAge, percent } from './format';

const useStyles = makeStyles(theme => ({
  tiles: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(190px, 1fr))',
    gap: theme.spacing(2),
  },
  tile: {
    height: '100%',
    '& > div': { height: '100%' },
  },
  value: {
    fontWeight: theme.typography.fontWeightBold as number,
    lineHeight: 1.2,
  },
  caption: {
    marginTop: theme.spacing(0.5),
  },
}));

function Tile(props: {
  title: string;
  value: ReactNode;
  caption: ReactNode;
  action?: ReactNode;
  loading: boolean;
}) {
  const classes = useStyles();
  return (
    <div role="group" aria-label={props.title} className={classes.tile}>
      <InfoCard title={props.title} titleTypographyProps={{ variant: 'h6' }}>
        {props.loading ? (
          <>
            <Skeleton variant="text" width="40%" height={48} />
            <Skeleton variant="text" width="90%" />
          </>
        ) : (
          <>
            <Typography variant="h4" component="p" className={classes.value}>
              {props.value}
            </Typography>
            <Typography
              variant="body2"
              color="textSecondary"
              className={classes.caption}
            >
              {props.caption}
            </Typography>
            {props.action && <Box mt={1}>{props.action}</Box>}
          </>
        )}
      </InfoCard>
    </div>
  );
}

function services(n: number): string {
  return `${n} service${n === 1 ? '' : 's'}`;
}

/**
 * The summary tiles: services tracked, share in parity, median drift age,
 * services behind the reference, and tag mismatches, for the compared
 * environment (or each service's worst one).
 */
export function SummaryTiles(props: {
  summary?: ScorecardSummary;
  loading: boolean;
  /** The title of the compared environment, e.g. `Staging`. */
  comparedTitle: string;
  /** Each service's worst environment rather than one environment. */
  worst?: boolean;
  /** Filters the table by a verdict; absent: no "show" buttons. */
  onShowVerdict?: (verdict: Verdict) => void;
}) {
  const classes = useStyles();
  const { summary, onShowVerdict, worst } = props;
  const loading = props.loading && !summary;
  const compared = props.comparedTitle;
  const lower = compared.toLocaleLowerCase('en-US');
  const reference = summary?.referenceEnvironment ?? 'production';
  const show = (verdict: Verdict, count: number | undefined, label: string) =>
    onShowVerdict && count ? (
      <Button
        size="small"
        color="primary"
        onClick={() => onShowVerdict(verdict)}
        aria-label={`Show them: ${label}`}
      >
        Show them
      </Button>
    ) : undefined;

  const following = summary && scorecardFollowing(summary);
  let followingCaption = '';
  if (following) {
    if (!following.environments.length) {
      followingCaption = `${compared} is not aligned with ${reference} automatically`;
    } else if (worst) {
      followingCaption = `${following.environments.join(
        ', ',
      )} aligned with ${reference} whenever ${reference} changes`;
    } else {
      followingCaption = `Their ${lower} is aligned with ${reference} whenever ${reference} changes`;
    }
  }

  let drift: string;
  if (!summary?.drifting) {
    drift = worst
      ? `No service has an environment that differs from ${reference}`
      : `No service's ${lower} differs from ${reference}`;
  } else {
    const age = driftAge(summary.medianDriftAgeDays);
    const of = `(median of ${services(summary.drifting)} drifting)`;
    drift = worst
      ? `Their worst environments have differed from ${reference} for ${age} ${of}`
      : `${compared} has differed from ${reference} for ${age} ${of}`;
  }

  return (
    <div className={classes.tiles}>
      <Tile
        title="Services tracked"
        loading={loading}
        value={summary?.tracked ?? 0}
        caption={
          worst
            ? `Each service's worst environment compared with ${reference}`
            : `${compared} compared with ${reference}`
        }
      />
      <Tile
        title="In parity"
        loading={loading}
        value={percent(summary?.inParityShare)}
        caption={
          summary && summary.tracked > (summary.unknown ?? 0)
            ? `${summary.inParity} of ${services(
                summary.tracked - (summary.unknown ?? 0),
              )} with a known verdict: ${
                worst ? 'every environment' : lower
              } in sync with ${reference}`
            : 'No service with a known verdict'
        }
      />
      <Tile
        title="Median drift age"
        loading={loading}
        value={
          summary?.medianDriftAgeDays === undefined
            ? '—'
            : driftAge(summary.medianDriftAgeDays)
        }
        caption={drift}
      />
      <Tile
        title={`Behind ${reference}`}
        loading={loading}
        value={summary?.behind ?? 0}
        caption={`${
          worst ? 'Their worst environment' : compared
        } runs an older build: it cannot reproduce ${reference}`}
        action={show(
          'behind',
          summary?.behind,
          `the services behind ${reference}`,
        )}
      />
      <Tile
        title="Tag mismatch"
        loading={loading}
        value={summary?.tagMismatch ?? 0}
        caption={`Same tag as ${reference}, another build${
          worst ? '' : ` in ${lower}`
        }`}
        action={show(
          'tag-mismatch',
          summary?.tagMismatch,
          'the services with a tag mismatch',
        )}
      />
      <Tile
        title="Unknown"
        loading={loading}
        value={summary?.unknown ?? 0}
        caption="No verdict (not deployed, or no provider could read it): not counted as drift, left out of the share and scores"
        action={show(
          'unknown',
          summary?.unknown,
          'the services whose verdict is unknown',
        )}
      />
      {following && (
        <Tile
          title={`Following ${reference}`}
          loading={loading}
          value={following.services}
          caption={followingCaption}
        />
      )}
    </div>
  );
}
