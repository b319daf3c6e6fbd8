import { Link } from '@backstage/core-components';
import { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  CommitSummary,
  EnvironmentComparison,
  shortHash,
} from '@env-parity/plugin-env-parity-common';
import { commitUrl } from './format';

const useStyles = makeStyles(theme => ({
  sha: {
    fontFamily: 'monospace',
  },
  commitsHeading: {
    marginTop: theme.spacing(1),
  },
}));

function CommitList(props: {
  heading: string;
  count: number;
  commits?: CommitSummary[];
  compareUrl?: string;
  slug?: string;
}) {
  const classes = useStyles();
  const { heading, count, commits, compareUrl, slug } = props;
  if (count === 0) {
    return null;
  }
  const listed = commits?.length ?? 0;
  let rest: string | undefined;
  if (listed === 0) {
    rest = 'Not listed';
  } else if (listed < count) {
    rest = `and ${count - listed} more`;
  }
  return (
    <>
      <Typography
        variant="subtitle2"
        component="h4"
        className={classes.commitsHeading}
      >
        {heading} ({count})
      </Typography>
      {commits && commits.length > 0 && (
        <List dense disablePadding aria-label={heading}>
          {commits.map(commit => (
            <CommitRow key={commit.sha} commit={commit} slug={slug} />
          ))}
        </List>
      )}
      {rest && (
        <Typography variant="body2" color="textSecondary">
          {rest}
          {compareUrl ? (
            <>
              {': '}
              <Link to={compareUrl} underline="always">
                see the full comparison
              </Link>
            </>
          ) : (
            '.'
          )}
        </Typography>
      )}
    </>
  );
}

/**
 * The commits between the reference and this environment: first what the
 * reference runs and this environment lacks (e.g. a hotfix), then what this
 * environment adds.
 */
export function Commits(props: {
  comparison: EnvironmentComparison;
  referenceTitle: string;
  slug?: string;
}) {
  const { comparison, referenceTitle, slug } = props;
  const { commitsAhead, commitsBehind, commits, commitsMissing, compareUrl } =
    comparison;
  if (commitsAhead === undefined && commitsBehind === undefined) {
    return null;
  }
  const plural = (n: number) => `${n} commit${n === 1 ? '' : 's'}`;
  return (
    <Box mt={1}>
      <Typography variant="body2">
        {plural(commitsAhead ?? 0)} ahead of {referenceTitle},{' '}
        {plural(commitsBehind ?? 0)} behind
        {compareUrl && (commitsAhead || commitsBehind) ? (
          <>
            {' · '}
            <Link to={compareUrl} underline="always">
              Full comparison
            </Link>
          </>
        ) : null}
      </Typography>
      <CommitList
        heading={`In ${referenceTitle}, missing here`}
        count={commitsBehind ?? 0}
        commits={commitsMissing}
        compareUrl={compareUrl}
        slug={slug}
      />
      <CommitList
        heading={`Here, not yet in ${referenceTitle}`}
        count={commitsAhead ?? 0}
        commits={commits}
        compareUrl={compareUrl}
        slug={slug}
      />
    </Box>
  );
}

function CommitRow(props: { commit: CommitSummary; slug?: string }) {
  const classes = useStyles();
  const { commit, slug } = props;
  const url = commit.url ?? commitUrl(slug, commit.sha);
  const sha = <span className={classes.sha}>{shortHash(commit.sha)}</span>;
  const request = pullRequestOf(commit);
  let details: ReactNode;
  if (commit.author && request) {
    details = (
      <>
        {commit.author} · {request}
      </>
    );
  } else {
    details = commit.author || request;
  }
  return (
    <ListItem disableGutters>
      <ListItemText
        primary={
          <>
            {url ? (
              <Link to={url} underline="always">
                {sha}
              </Link>
            ) : (
              sha
            )}{' '}
            {commit.message.split('\n')[0]}
          </>
        }
        secondary={details || undefined}
      />
    </ListItem>
  );
}

/**
 * The pull request (GitHub, `#42`) or merge request (GitLab, `!42`) a commit
 * came from: a link where the SCM gave one, else its number as text.
 */
function pullRequestOf(commit: CommitSummary): ReactNode {
  const { pullRequest, pullRequestUrl } = commit;
  if (pullRequest === undefined) {
    return undefined;
  }
  if (!pullRequestUrl) {
    return `#${pullRequest}`;
  }
  const sigil = pullRequestUrl.includes('/-/merge_requests/') ? '!' : '#';
  return (
    <Link to={pullRequestUrl} underline="always">
      {`${sigil}${pullRequest}`}
    </Link>
  );
}
