import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the Env Parity plugin. */
  envParity?: {
    /**
     * The GitLab module (`@env-parity/plugin-env-parity-backend-module-gitlab`).
     * Instances, API URLs and tokens come from `integrations.gitlab`;
     * nothing here repeats them.
     */
    gitlab?: {
      /**
       * The GitLab host of projects whose entity names no host (no
       * `gitlab.com/instance` annotation and no `backstage.io/source-location`
       * on a configured `integrations.gitlab` host), e.g.
       * `gitlab.example.com`. It must have an `integrations.gitlab` entry
       * (gitlab.com has one by default). Defaults to `gitlab.com`.
       */
      host?: string;
      /**
       * GitLab environment names by Env Parity environment name, for
       * environments named differently on GitLab, e.g.
       * `{ production: production/eu }`. An environment not listed is looked
       * up on GitLab under its own name.
       */
      environments?: { [envParityName: string]: string };
      /**
       * How long one request to GitLab may take, e.g. `10s` or
       * `{ seconds: 10 }`. Defaults to 10 seconds.
       */
      timeout?: HumanDuration | string;
      /**
       * How many pages of deployments (20 per page, newest first) newer than
       * an environment's last successful one are walked looking for a
       * running one ("deploying"), from 1 to 10. Defaults to 3.
       */
      maxPages?: number;
    };
  };
}
