import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import useAsync from 'react-use/esm/useAsync';
import { envParityApiRef } from '../../api';
import { VerdictChip } from '../EnvParityContent/VerdictChip';
import {
  envParityScorecardReadPermission,
  permissionDeniedMessage,
  ScorecardRow,
} from '@env-parity/plugin-env-parity-common';
import { environmentTitle, isWorst } from '../Scorecard/environments';
import { isForbidden } from '../Scorecard/errors';
import { driftAge, envTitle, percent } from '../Scorecard/format';
import { useScorecardLink } from '../Scorecard/routes';
import { useParityTabLink } from '../Scorecard/useParityTabLink';

/** How many of the group's worst services the card lists. */
export const WORST_COUNT = 5;

const useStyles = makeStyles(theme => ({
  stats: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(110px, 1fr))',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
  value: {
    fontWeight: theme.typography.fontWeightBold as number,
  },
  heading: {
    marginTop: theme.spacing(2),
  },
  row: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
  },
  secondary: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginLeft: 'auto',
  },
}));

/**
 * How long a service has differed, naming the environment in the worst
 * environment view: `Staging: differs from production for 12 days`.
 */
function rowDrift(
  row: ScorecardRow,
  environmentTitleShown: string | undefined,
): string | undefined {
  const drift =
    row.driftAgeDays === undefined
      ? undefined
      : `differs from ${row.referenceEnvironment} for ${driftAge(
          row.driftAgeDays,
        )}`;
  if (!environmentTitleShown) {
    return drift;
  }
  return drift ? `${environmentTitleShown}: ${drift}` : environmentTitleShown;
}

function Stat(props: { label: string; value: string | number }) {
  const classes = useStyles();
  return (
    <div role="group" aria-label={props.label}>
      <Typography variant="h5" component="p" className={classes.value}>
        {props.value}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {props.label}
      </Typography>
    </div>
  );
}

/**
 * The options of {@link GroupParityCard}.
 *
 * @public
 */
export interface GroupParityCardProps {
  /**
   * The environment compared with the reference, e.g. `staging`, or
   * `worst` for each service's worst environment. Default: the scorecard's
   * default environment (`envParity.scorecard.environment` in the backend).
   */
  environment?: string;
}

/**
 * For a Group's page: the parity of the services the group owns in one
 * environment (or each service's worst), its worst few services, and a link
 * to the scorecard filtered to the group.
 */
export function GroupParityCard(props: GroupParityCardProps = {}) {
  const classes = useStyles();
  const { entity } = useEntity();
  const api = useApi(envParityApiRef);
  const owner = stringifyEntityRef(entity);
  const scorecardLink = useScorecardLink();
  const parityTab = useParityTabLink();
  const environment = props.environment?.trim() || undefined;

  const { value, loading, error } = useAsync(async () => {
    const [summary, worst, environments] = await Promise.all([
      api.getScorecardSummary({ owner: [owner], environment }),
      api.getScorecard({
        owner: [owner],
        environment,
        sort: 'score',
        order: 'asc',
        page: 1,
        pageSize: WORST_COUNT,
      }),
      // titles only: the card works without them
      api.getScorecardEnvironments().catch(() => undefined),
    ]);
    return { summary, worst, environments };
  }, [api, owner, environment]);

  const deepLink = scorecardLink && {
    title: 'View in the scorecard',
    link: scorecardLink({ owner: [owner], environment }),
  };
  const compared = value?.summary.comparedEnvironment ?? environment;
  const worstView = isWorst(compared);
  const titleOf = (name: string) => environmentTitle(name, value?.environments);

  let content;
  if (loading) {
    content = <Progress aria-label="Loading parity" />;
  } else if (error && isForbidden(error)) {
    content = (
      <Typography variant="body2" color="textSecondary">
        {permissionDeniedMessage(
          'read the environment parity scorecard',
          envParityScorecardReadPermission.name,
        )}
      </Typography>
    );
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value || value.summary.tracked === 0) {
    content = (
      <Typography variant="body2" color="textSecondary">
        This group owns no service that Env Parity tracks. A service is tracked
        once its deploys to production and staging are known, from{' '}
        <code>env-parity/&lt;env&gt;.*</code> annotations or a deployment
        provider.
      </Typography>
    );
  } else {
    const { summary, worst } = value;
    // unknown is not bad parity: counted apart, never among the lowest
    const unknown = summary.unknown ?? 0;
    const lowest = worst.items.filter(row => row.verdict !== 'unknown');
    let heading = 'Lowest scores';
    if (unknown === summary.tracked) {
      heading = `No verdict known yet for the ${summary.tracked} services`;
    } else if (summary.inParity === summary.tracked - unknown) {
      heading = `All in sync with ${summary.referenceEnvironment}${
        unknown ? ' (of those with a known verdict)' : ''
      }`;
    }
    content = (
      <>
        <div className={classes.stats}>
          <Stat label="Services tracked" value={summary.tracked} />
          <Stat label="In parity" value={percent(summary.inParityShare)} />
          <Stat
            label="Median drift age"
            value={
              summary.medianDriftAgeDays === undefined
                ? '—'
                : driftAge(summary.medianDriftAgeDays)
            }
          />
          <Stat
            label={`Behind ${summary.referenceEnvironment}`}
            value={summary.behind}
          />
          <Stat label="Unknown" value={unknown} />
        </div>
        <Typography
          variant="subtitle2"
          component="h3"
          className={classes.heading}
        >
          {heading}
        </Typography>
        <List dense aria-label="Lowest scores">
          {lowest.map(row => {
            const link = parityTab(row);
            const name = row.title ?? row.name;
            return (
              <ListItem key={row.entityRef} disableGutters divider>
                <ListItemText
                  primary={
                    <span className={classes.row}>
                      {link ? <Link to={link}>{name}</Link> : name}
                      <span className={classes.secondary}>
                        <VerdictChip verdict={row.verdict} />
                        <Typography variant="body2" component="span">
                          score {row.score}
                        </Typography>
                      </span>
                    </span>
                  }
                  secondary={rowDrift(
                    row,
                    worstView ? titleOf(row.comparedEnvironment) : undefined,
                  )}
                />
              </ListItem>
            );
          })}
        </List>
      </>
    );
  }

  return (
    <InfoCard
      title="Environment parity"
      subheader={
        compared
          ? `${
              worstView ? "Each service's worst environment" : titleOf(compared)
            } against ${envTitle(
              value?.summary.referenceEnvironment ??
                value?.environments?.reference ??
                'production',
            )}, for the services this group owns`
          : 'The services this group owns'
      }
      deepLink={deepLink || undefined}
    >
      {content}
      {value?.summary.totalsMayIncludeHidden && (
        <Typography variant="caption" color="textSecondary">
          Counts may include services you cannot see.
        </Typography>
      )}
    </InfoCard>
  );
}
