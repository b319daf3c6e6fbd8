import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import {
  CommitSummary,
  EnvironmentComparison,
} from '@env-parity/plugin-env-parity-common';
import { Commits } from './Commits';

const GITLAB = 'https://gitlab.example.com/acme/payments/ledger';
const GITHUB = 'https://github.com/acme/api';

function comparison(commits: CommitSummary[]): EnvironmentComparison {
  return {
    environment: 'staging',
    against: 'production',
    verdict: 'ahead',
    score: 80,
    commitsAhead: commits.length,
    commitsBehind: 0,
    commits,
    drift: [],
    summary: 'Staging is ahead of Production',
  };
}

async function renderCommits(commits: CommitSummary[]) {
  await renderInTestApp(
    <Commits comparison={comparison(commits)} referenceTitle="Production" />,
  );
  return within(
    screen.getByRole('list', { name: 'Here, not yet in Production' }),
  );
}

describe('Commits', () => {
  it('links a GitLab merge request as !N and a GitHub pull request as #N', async () => {
    const list = await renderCommits([
      {
        sha: 'a'.repeat(40),
        message: 'Speed up balance query (!21)',
        author: 'Ada Lovelace',
        pullRequest: 21,
        pullRequestUrl: `${GITLAB}/-/merge_requests/21`,
      },
      {
        sha: 'b'.repeat(40),
        message: 'Add retry to the payment client (#123)',
        pullRequest: 123,
        pullRequestUrl: `${GITHUB}/pull/123`,
      },
    ]);

    expect(list.getByRole('link', { name: /^!21\b/ })).toHaveAttribute(
      'href',
      `${GITLAB}/-/merge_requests/21`,
    );
    expect(list.getByText(/Ada Lovelace/)).toHaveTextContent(
      /^Ada Lovelace · !21/,
    );
    expect(list.getByRole('link', { name: /^#123\b/ })).toHaveAttribute(
      'href',
      `${GITHUB}/pull/123`,
    );
    expect(list.queryByText('#21')).not.toBeInTheDocument();
  });

  it('shows the number as plain text where no link was given', async () => {
    const list = await renderCommits([
      {
        sha: 'c'.repeat(40),
        message: 'Fix rounding of refunds (#42)',
        author: 'Grace Hopper',
        pullRequest: 42,
      },
    ]);

    expect(list.getByText('Grace Hopper · #42')).toBeInTheDocument();
    expect(list.queryByRole('link', { name: /42/ })).not.toBeInTheDocument();
  });
});
