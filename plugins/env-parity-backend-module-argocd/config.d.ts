import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * The Argo CD plugins' own configuration. Env Parity reads only the token
   * instances of `appLocatorMethods` entries of type `config`.
   */
  argocd?: {
    appLocatorMethods?: Array<{
      /** Only `config` is read. */
      type: string;
      instances?: Array<{
        /** The instance name, as in the `argocd/instance-name` annotation. */
        name: string;
        /**
         * The Argo CD base URL, e.g. `https://argocd.example.com`; may carry a
         * path prefix (`--rootpath`).
         */
        url: string;
        /**
         * An Argo CD API token (account or project token). Instances without
         * one (username and password) are skipped by Env Parity.
         * @visibility secret
         */
        token?: string;
      }>;
    }>;
  };
  envParity?: {
    /**
     * The Argo CD deployment provider: which Argo CD Applications run in which
     * environment. At least one of `instances`, `environments` or
     * `environmentLabel` enables it.
     */
    argocd?: {
      /**
       * Argo CD instance name to environment name: every application on
       * that instance is in that environment, e.g. `argo-prod: production`.
       * Checked last.
       */
      instances?: { [instanceName: string]: string };
      /**
       * Rules checked first, in order; the first whose set fields all match
       * gives the environment.
       */
      environments?: Array<{
        /** The environment the matching applications are in. */
        environment: string;
        /** Only applications on this Argo CD instance. */
        instance?: string;
        /** `spec.destination.server`, e.g. `https://kubernetes.default.svc`. */
        destinationServer?: string;
        /** `spec.destination.name`, the cluster name in Argo CD. */
        destinationName?: string;
        /** `spec.destination.namespace`; `*` matches any run of characters. */
        destinationNamespace?: string;
        /** Application labels that must all be equal. */
        labels?: { [name: string]: string };
      }>;
      /**
       * An Application label whose value is the environment name, e.g. `env`.
       * Used after the rules and before `instances`, and only when the value
       * names a configured environment.
       */
      environmentLabel?: string;
      /** Time for one request to Argo CD, e.g. `{ seconds: 10 }`. Defaults to 10 seconds. */
      timeout?: HumanDuration | string;
      /**
       * The shared secret of the Argo CD Notifications webhook
       * (`POST /api/events/http/argocd`, module
       * `eventsModuleEnvParityArgocdWebhook`), sent by Argo CD in the
       * `X-Env-Parity-Webhook-Secret` header. Without it the webhook is not
       * offered.
       * @visibility secret
       */
      webhookSecret?: string;
    };
    align?: {
      /**
       * The `argocd` alignment deployer (name it in
       * `envParity.align.environments.<env>.deployer`). For the one
       * application `envParity.argocd` maps to the environment it sets the
       * target revision of the sources in the service's own repository to
       * production's revision and, with `imageParameter`, that Helm
       * parameter to production's image, then asks Argo CD for a sync, with
       * the instance's token (which needs `applications, update` and
       * `applications, sync` on the application). It refuses an application
       * that syncs automatically with self-heal and is itself defined in
       * Git (an app-of-apps parent or an ApplicationSet), whose spec Argo CD
       * would put back: use a Git-based deployer there.
       */
      argocd?: {
        /**
         * The Helm parameter holding the image: a name ending in `tag`
         * (e.g. `image.tag`) gets production's image tag, one ending in
         * `digest` (e.g. `image.digest`) its `sha256:` digest, any other
         * (e.g. `image`) the whole artifact reference. Not set: only the
         * target revision changes.
         */
        imageParameter?: string;
      };
    };
  };
}
