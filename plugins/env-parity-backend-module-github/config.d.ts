import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the Env Parity plugin. */
  envParity?: {
    /**
     * The GitHub module (`@env-parity/plugin-env-parity-backend-module-github`).
     * Credentials and API URLs come from `integrations.github`; nothing here
     * repeats them.
     */
    github?: {
      /**
       * The GitHub host of repositories whose `backstage.io/source-location`
       * annotation names no configured `integrations.github` host, e.g.
       * `ghe.example.com`. It must have an `integrations.github` entry.
       * Defaults to `github.com`.
       */
      host?: string;
      /**
       * GitHub environment names by Env Parity environment name, for
       * environments named differently on GitHub, e.g.
       * `{ production: prod-eu }`. An environment not listed is looked up on
       * GitHub under its own name.
       */
      environments?: { [envParityName: string]: string };
      /**
       * How long one request to GitHub may take, e.g. `10s` or
       * `{ seconds: 10 }`. Defaults to 10 seconds.
       */
      timeout?: HumanDuration | string;
      /**
       * How many pages of deployments (30 per page, newest first) are walked
       * per environment looking for one that succeeded, from 1 to 10.
       * Defaults to 3.
       */
      maxPages?: number;
    };
    align?: {
      /**
       * The `github` alignment deployer (name it in
       * `envParity.align.environments.<env>.deployer`). It creates a GitHub
       * deployment of production's commit to the environment (named as in
       * `envParity.github.environments`), with `auto_merge: false`, no
       * required contexts, and production's version, artifact and digest in
       * its payload; the repository's workflow on the `deployment` event
       * rolls it out and reports its status. The credentials of
       * `integrations.github` need `Deployments: write` (or `Actions: write`
       * with `workflow`).
       */
      github?: {
        /**
         * Dispatch this workflow instead of creating a deployment, with the
         * inputs `environment`, `ref` (production's commit) and `artifact`;
         * it must declare them under `workflow_dispatch`.
         */
        workflow?: {
          /** The workflow's file name, e.g. `deploy.yml`, or its id. */
          file: string;
          /** The branch or tag it runs from. Defaults to `main`. */
          ref?: string;
        };
      };
    };
  };
}
