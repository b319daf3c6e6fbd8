import { HumanDuration } from '@backstage/types';
import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Configuration of the Env Parity plugin. */
  envParity?: {
    /**
     * The environments services are deployed to, in promotion order. The one
     * marked `reference` (production) is what every other one is compared
     * with; without a mark, the last one is. Defaults to development, staging
     * and production.
     */
    environments?: Array<{
      /** Name used in annotations (`env-parity/<name>.version`) and URLs: lowercase letters, digits and dashes. */
      name: string;
      /** Human readable title. Defaults to the name. */
      title?: string;
      /** Marks the reference environment, usually production. At most one. */
      reference?: boolean;
      /** Entity ref of the group that owns the environment, e.g. `group:default/sre`. */
      owner?: string;
    }>;
    /**
     * Also read environments from catalog `Resource` entities with
     * `spec.type: environment`: their `spec.owner` becomes the environment's
     * owner, and ones not in `environments` are added before the reference.
     * Defaults to true.
     */
    environmentsFromCatalog?: boolean;
    /**
     * How often deployments are collected. Defaults to every 5 minutes with
     * a 4 minute timeout.
     */
    schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    /**
     * Collection at once on deployment events, received through the events
     * backend: GitHub `deployment` and `deployment_status` webhooks
     * (`@backstage/plugin-events-backend-module-github`, signature checked
     * with `events.modules.github.webhookSecret`) collect the services whose
     * `github.com/project-slug` is the repository; Argo CD Notifications
     * (the Argo CD module's `argocd` topic) collect the services whose
     * `argocd/app-name` is the application. On by default; the schedule
     * stays as the safety net.
     */
    events?: {
      /** `false` ignores events. Defaults to true. */
      enabled?: boolean;
      /** Events for a service within this many ms of its last collection's start are merged into one more. Defaults to 1000. */
      mergeWindowMs?: number;
      /** Services waiting for an event's collection at most; beyond it events are dropped (the schedule collects them). Defaults to 1000. */
      maxPending?: number;
      /** Services collected for events at the same time at most. Defaults to 4. */
      concurrency?: number;
    };
    /** Tuning of the collector. */
    collector?: {
      /**
       * Entity kinds whose deployments are collected, and the only kinds
       * that may be reported on, refreshed, probed or asked access to (a
       * request for a Group or a User is refused). Defaults to `['Component']`.
       */
      kinds?: string[];
      /** Entities handled per batch (one database transaction each). Defaults to 100. */
      batchSize?: number;
      /** Entities observed at once per provider, unless the provider sets its own. Defaults to 10. */
      concurrency?: number;
      /** How long one provider may take for one entity. Defaults to 30 seconds. */
      providerTimeout?: HumanDuration;
    };
    /**
     * Configuration drift: how configuration fingerprints from providers
     * (Kubernetes, Argo CD) are compared.
     */
    config?: {
      /**
       * Configuration keys expected to differ between environments, so the
       * verdict reflects real drift: patterns matching whole keys, `*`
       * matching any run of characters, e.g.
       * `['*.env.DATABASE_URL', '*.replicas', 'configmap/*.LOG_LEVEL']`.
       * An entity adds its own with the `env-parity/ignore-config`
       * annotation (comma separated). Ignored keys that differ are listed
       * as ignored, and count for neither verdict nor score.
       */
      ignore?: string[];
      /**
       * The key of the HMAC-SHA256 that fingerprints configuration values.
       * Set it, so that the stored fingerprints of short secret values
       * cannot be guessed by hashing candidates; changing it makes every
       * key look changed once. No fingerprint hash leaves the backend
       * either way.
       * @visibility secret
       */
      hashKey?: string;
    };
    /**
     * A successful observation older than this is shown as stale. Defaults
     * to one hour.
     */
    staleAfter?: HumanDuration;
    /**
     * How long the history of deployment changes is kept. Changes older
     * than this are deleted after each completed collection run, at most
     * 20,000 rows per run (statements of 5,000), so a backlog goes over
     * several runs. By age only: a deployment unchanged for longer loses
     * all its history rows, while its current snapshot (with the time it
     * last changed) stays. Defaults to 90 days.
     */
    historyRetention?: HumanDuration;
    /**
     * Aligning an environment with production (`/api/env-parity/alignments`):
     * deploying production's artifact there through a deployer, after
     * approval, verified by observation. Off unless configured: without
     * this section the routes answer 404 and nothing is scheduled.
     */
    align?: {
      /**
       * The environments that may be aligned, by name. The reference
       * environment never can be.
       */
      environments?: {
        [name: string]: {
          /** Defaults to true once the environment is listed. */
          enabled?: boolean;
          /**
           * The deployer that acts: `webhook`, or the id of a deployer a
           * module added.
           */
          deployer: string;
          /**
           * Who approves: `environment-owner` (the default), `service-owner`,
           * `{ group: <group ref> }`, or `none` (dispatched as soon as asked).
           * Nobody approves their own request.
           */
          approval?:
            | 'none'
            | 'environment-owner'
            | 'service-owner'
            | { group: string };
          /** Distinct approvals needed (N of M). Defaults to 1. */
          requiredApprovals?: number;
          /**
           * How long after the deployer accepted the environment must be
           * observed running production's artifact digest (or revision where
           * no digest is known) before the alignment ends `timed-out`.
           * Defaults to 30 minutes.
           */
          verificationTimeout?: HumanDuration;
        };
      };
      /** Open alignments one user may have asked for at once. Defaults to 10. */
      maxOpenPerUser?: number;
      /** Members of groups below the approver group count as its members. Defaults to false. */
      nestedGroups?: boolean;
      /** The shortest reason accepted. Defaults to 10 characters. */
      minReasonLength?: number;
      /** How long one deployer call may take. Defaults to 5 minutes. */
      dispatchTimeout?: HumanDuration;
      /**
       * An alignment dispatched longer ago than this (its backend stopped
       * during the deployer call) goes on to verification without a second
       * call. Longer than `dispatchTimeout`; defaults to 10 minutes.
       */
      dispatchLease?: HumanDuration;
      /** How often verifying alignments are checked against the latest collection. Defaults to 1 minute. */
      sweepInterval?: HumanDuration;
      /**
       * Following production: the listed environments are aligned with
       * production whenever a collection observes a new production artifact
       * (its digest, or its revision where no digest is known), once per
       * production change, through the environment's deployer and approval
       * rule. Only a change of production triggers: an alignment changing
       * the followed environment never triggers another. Skipped when the
       * environment already runs it (remembered) or has an open alignment
       * (tried again at the next collection). Every followed environment
       * must be listed in `environments` above.
       */
      follow?: {
        /** The one switch: false turns following off everywhere. Defaults to true. */
        enabled?: boolean;
        /**
         * The requester of the alignments following creates (shown on their
         * timeline, notified of their outcome; exempt from `maxOpenPerUser`).
         * Defaults to `user:default/env-parity-follow`.
         */
        requester?: string;
        /**
         * Alignments created per collection at most, so that a mass
         * production change does not stampede the delivery system; the rest
         * wait for the next collection (logged). Defaults to 20.
         */
        maxPerCollection?: number;
        /** The environments that follow production, by name. */
        environments?: {
          [name: string]: {
            /** Defaults to true once the environment is listed. */
            enabled?: boolean;
            /**
             * The services that follow, as entity refs (`component:default/`
             * may be left out). Defaults to every service alignment may act on.
             */
            entities?: string[];
          };
        };
      };
      /**
       * An alignment pending approval for longer than this (from its
       * request) ends `timed-out` at the next sweep, with a timeline step
       * saying why; the deployer is never called. At least a minute;
       * defaults to 24 hours.
       */
      reviewTimeout?: HumanDuration;
      /** The `webhook` deployer: a signed JSON POST per alignment. */
      webhook?: {
        /**
         * Called with POST `{ alignmentId, entity, environment, version,
         * revision, artifact, digest, requester }`, through the outbound
         * guard (only this URL's host is reachable).
         */
        url: string;
        /**
         * The HMAC-SHA256 key: each call carries
         * `x-env-parity-signature: sha256=<hex of HMAC(secret, "<timestamp>.<body>")>`,
         * `x-env-parity-timestamp` (Unix seconds) and `idempotency-key` (the
         * alignment id).
         * @visibility secret
         */
        secret: string;
        /** Per call. Defaults to 10 seconds. */
        timeout?: HumanDuration;
        /**
         * Calls before the alignment fails (5xx, 408, 429, network errors
         * and timeouts are retried with exponential backoff from 1 s).
         * Defaults to 4.
         */
        attempts?: number;
        /** Allow a URL on a private network (e.g. in-cluster). Defaults to false. */
        allowPrivateNetworks?: boolean;
      };
    };
    /**
     * Production replicas (`/api/env-parity/replicas`): a private, expiring
     * copy of what production runs, launched from the Parity tab into a
     * sandbox. On when this section exists and a replica driver module is
     * installed (the Kubernetes module declares its own keys here, such as
     * `cluster`); the sweep observes replicas, expires them on time and
     * removes any labelled namespace nobody needs.
     */
    replicas?: {
      /** A replica's lifetime when the launch names none. Defaults to 4 hours. */
      defaultTtl?: HumanDuration;
      /**
       * The longest lifetime of a replica from its creation, extensions
       * included. Defaults to 8 hours.
       */
      maxTtl?: HumanDuration;
      /** Active (creating or ready) replicas one user may have. Defaults to 2. */
      perUserLimit?: number;
      /** Active replicas there may be in all. Defaults to 20. */
      globalLimit?: number;
      /** How long before its expiry the requester is told, once. Defaults to 30 minutes. */
      notifyBefore?: HumanDuration;
      /** How often the sweep runs. Defaults to 1 minute. */
      sweepInterval?: HumanDuration;
    };
    /**
     * Temporary read-only access to a service in an environment
     * (`/api/env-parity/access`): requested from the Parity tab, approved by
     * the environment's owners, granted for a bounded time by a provisioner
     * and taken away on time by a sweep that runs every minute.
     */
    access?: {
      /**
       * The longest access one request may ask for. Defaults to 8 hours.
       */
      maxDuration?: HumanDuration;
      /**
       * The shortest reason accepted, in characters (after trimming).
       * Defaults to 10. Reasons longer than 2000 characters are refused.
       */
      minReasonLength?: number;
      /**
       * A regular expression a ticket reference must match in full, e.g.
       * `(INC|CHG)-\d+`. Without it any ticket text up to 255 characters
       * is accepted.
       */
      ticketPattern?: string;
      /** Whether a ticket reference is required. Defaults to false. */
      ticketRequired?: boolean;
      /**
       * Whose members approve: `environment-owner` (the owner group of the
       * environment, from `envParity.environments[].owner` or its catalog
       * Resource), `service-owner` (the service's `spec.owner`), or a named
       * group, e.g. `{ group: 'group:default/security' }`. Membership is
       * read from the catalog when deciding, never from the caller's token.
       * Defaults to `environment-owner`.
       */
      approvers?: 'environment-owner' | 'service-owner' | { group: string };
      /**
       * Whether members of groups below the approver group count as its
       * members: with `true`, a member of `sre-eu` (`spec.parent: sre`), or
       * of a group below that, may approve and sees the request among those
       * to review when `sre` approves, up to 10 levels down; a cycle in the
       * hierarchy is ignored. Defaults to false: only direct members of the
       * approver group (`memberOf` / `hasMember`).
       */
      nestedGroups?: boolean;
      /**
       * How many different approvers must approve (N of M); one denial
       * denies. Defaults to 1.
       */
      requiredApprovals?: number;
      /**
       * A request not decided within this time times out. Defaults to 24
       * hours.
       */
      reviewTimeout?: HumanDuration;
      /** Break-glass: access at once, without review, reviewed afterwards. */
      breakGlass?: {
        /**
         * Allows `breakGlass: true` on a request: it is active at once, the
         * approvers are notified with severity critical, and it waits for
         * an after-the-fact review. Defaults to false.
         */
        enabled?: boolean;
      };
      /**
       * How long before the end the requester and approvers are warned.
       * Defaults to 15 minutes.
       */
      expiryWarning?: HumanDuration;
      /**
       * What carries out grants and revocations: `record-only` (the portal
       * is the system of record; other systems ask
       * `/api/env-parity/access/grants/active`), `webhook`, `kubernetes`,
       * or the name of a provisioner a module added. Defaults to
       * `record-only`.
       */
      provisioner?: string;
      /** The `webhook` provisioner. */
      webhook?: {
        /** Called with POST for every grant and revocation. */
        url: string;
        /**
         * The HMAC-SHA256 key: each call carries
         * `x-env-parity-signature: sha256=<hex of HMAC(secret, "<timestamp>.<body>")>`
         * and `x-env-parity-timestamp` (Unix seconds).
         * @visibility secret
         */
        secret: string;
        /** Per call. Defaults to 10 seconds. */
        timeout?: HumanDuration;
        /**
         * Calls per grant or revocation before the request is marked
         * `provisioning-failed` and left to the sweep's retries (5xx, 408,
         * 429 and network errors are retried with exponential backoff from
         * 500 ms). Defaults to 4.
         */
        attempts?: number;
      };
      /** The `kubernetes` provisioner: a RoleBinding per grant. */
      kubernetes?: {
        /** The API server, e.g. `https://k8s.example.com:6443`. */
        url: string;
        /**
         * A token allowed to create, update, delete and list RoleBindings
         * (cluster-wide list for the self-healing sweep).
         * @visibility secret
         */
        token: string;
        /** The API server's CA certificate: base64 of the PEM, or the PEM. */
        caData?: string;
        /** Skips TLS verification. Only for testing. */
        skipTLSVerify?: boolean;
        /**
         * The namespace for services without a
         * `backstage.io/kubernetes-namespace` annotation. Without it such
         * services cannot be requested.
         */
        defaultNamespace?: string;
        /**
         * The RBAC subject name, from `{{ user.name }}`, `{{ user.namespace }}`,
         * `{{ user.ref }}` and `{{ user.email }}` (the user entity's
         * `spec.profile.email`), e.g. `{{ user.name }}@example.com`.
         * Defaults to `{{ user.name }}`.
         */
        subjectTemplate?: string;
        /** `User` or `Group`. Defaults to `User`. */
        subjectKind?: string;
        /** The ClusterRole bound. Defaults to `view`. */
        clusterRole?: string;
      };
      /**
       * The command that uses the access, per environment name, shown
       * while it is active to the requester, its approvers and access
       * admins, with a button that copies it as it is: write only the
       * command (the page already says when the access ends). Placeholders: `{{ request.id }}`,
       * `{{ environment }}`, `{{ entity.name }}`, `{{ entity.namespace }}`,
       * `{{ entity.kind }}`, `{{ user.name }}`, `{{ user.email }}`,
       * `{{ expiresAt }}` and `{{ grant.<key> }}` from the provisioner
       * (kubernetes: `namespace`, `roleBinding`, `subject`), e.g.
       * `kubectl --context prod -n {{ grant.namespace }} get pods`.
       */
      instructions?: { [environment: string]: string };
    };
    /**
     * The catalog-wide drift scorecard (`/api/env-parity/scorecard`).
     */
    scorecard?: {
      /**
       * The environment the scorecard shows when a request names none, e.g.
       * `staging` (every non-reference environment has its rows, and a
       * request may ask for any of them or for each service's worst).
       * Defaults to the environment right before the reference in promotion
       * order. A name that is not a configured non-reference environment
       * falls back to the default, with a warning.
       */
      environment?: string;
      /**
       * How long daily history is kept; older days are deleted by the daily
       * task. Defaults to 400 days.
       */
      historyRetention?: HumanDuration;
      /**
       * How often the daily task records today's aggregates (rewriting
       * today's rows each time; scope global). Defaults to every hour with
       * a 10 minute timeout.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    /**
     * Drift notifications: a service's owner (`spec.owner`) is notified
     * through Backstage's notifications when an environment turns from in
     * sync to drift, and when a drift becomes `driftAgeDays` old, each once
     * per drift, linking the service's Parity tab. A service opts out with
     * the annotation `env-parity/notify: none`.
     */
    notify?: {
      /** The global switch: false sends no drift notification. Defaults to true. */
      enabled?: boolean;
      /** A drift this many whole days old notifies its owner, once. Defaults to 7. */
      driftAgeDays?: number;
      /**
       * A new drift of an environment notified less than this long after
       * the previous notification of the same service and environment is
       * not notified (flapping). Defaults to 24 hours.
       */
      flappingWindow?: HumanDuration | string;
      /**
       * Also notify the owner of the drifting environment
       * (`envParity.environments[].owner`, or its catalog Resource's owner),
       * in the same notification; an entity owning both the service and the
       * environment is told once. Defaults to false.
       */
      environmentOwners?: boolean;
      /**
       * A digest per team: each owner of drifting services gets one
       * notification (topic `env-parity-digest`) listing its services whose
       * environment differs from the reference, oldest drift first (service,
       * verdict, drift age), linking the scorecard filtered to the team.
       * Nothing for a team without drift or whose drifting services opt out
       * (`env-parity/notify: none`); one digest per team per period, whatever
       * the number of backend replicas. Off with `envParity.notify.enabled: false`.
       */
      digest?: {
        /** Defaults to true. */
        enabled?: boolean;
        /**
         * How often: a duration of at least an hour (`{ days: 7 }`, `7d`,
         * `P1W`) or a cron expression in the backend's time zone
         * (`0 8 * * 1`, or `{ cron: '0 8 * * 1' }`). A team gets no second
         * digest within half the duration (an hour for a cron). Defaults to
         * weekly, from the backend's first start.
         */
        schedule?: HumanDuration | string | { cron: string };
        /**
         * The environment reported. Defaults to the scorecard's
         * (`envParity.scorecard.environment`, else the one right before the
         * reference).
         */
        environment?: string;
      };
    };
    /**
     * The Parity tab's Refresh
     * (`POST /api/env-parity/entities/:kind/:namespace/:name/refresh`), which
     * asks every provider (GitHub, Kubernetes, Argo CD ...) anew with the
     * configured credentials. Concurrent refreshes of one entity share one
     * collection.
     */
    refresh?: {
      /**
       * At most `requests` refreshes per user (or calling service) in each
       * `window`, counted in the plugin's database apart from the probe's
       * limit and shared by every backend replica. Fixed windows aligned to
       * the epoch (a one-minute window is each clock minute): up to twice the
       * limit fits across the boundary of two windows. Over the limit
       * answers 429 with Retry-After (seconds to the end of the window);
       * refused refreshes are not counted.
       */
      rateLimit?: {
        /** Defaults to 30. */
        requests?: number;
        /** Defaults to one minute. */
        window?: HumanDuration | string;
      };
    };
    /**
     * Comparing an endpoint across environments from the Parity tab
     * (`POST /api/env-parity/entities/:kind/:namespace/:name/probe`): the
     * same GET or HEAD request to each environment's `env-parity/<env>.url`,
     * answers side by side. Every request goes through the outbound-request
     * guard: only hosts listed here are reachable (an annotation alone never
     * makes a host reachable), non-public addresses are refused unless
     * allowed below, cloud metadata endpoints always, the resolved address
     * is the one connected to, redirects are reported and never followed,
     * and the caller's Backstage token and cookies are never forwarded.
     * Without this block nothing is reachable.
     */
    probe?: {
      /**
       * Hosts probes may go to: `host`, `host:port`, `*.domain`,
       * `*.domain:port` or `host:*`. An entry without a port allows only the
       * scheme's default port. E.g. `['*.prod.example.com', 'staging.example.com:8443']`.
       */
      allowedHosts?: string[];
      /**
       * Also connect to private (RFC 1918), loopback, link-local,
       * unique-local and carrier-grade NAT addresses. Defaults to false.
       * Cloud metadata, unspecified, broadcast and multicast addresses stay
       * refused. Prefer `allowedNetworks`.
       */
      allowPrivateNetworks?: boolean;
      /**
       * CIDR ranges whose non-public addresses are allowed, e.g.
       * `['10.20.0.0/16']`; narrower than `allowPrivateNetworks`.
       */
      allowedNetworks?: string[];
      /**
       * Time for one environment's answer (connect and the whole body).
       * An environment that takes longer fails alone with a timeout.
       * Defaults to 10 seconds.
       */
      timeout?: HumanDuration | string;
      /**
       * The largest response body accepted, in bytes; a larger answer fails
       * that environment. Defaults to 262144 (256 KiB).
       */
      maxBodyBytes?: number;
      /**
       * Response headers whose values are replaced by `[redacted]` in
       * results, in addition to the defaults, which always apply:
       * set-cookie, set-cookie2, authorization, proxy-authorization,
       * proxy-authenticate, www-authenticate, x-api-key, x-auth-token,
       * x-csrf-token, x-xsrf-token, x-amz-security-token.
       */
      redactHeaders?: string[];
      /**
       * The response headers shown in results (others are dropped),
       * replacing the default list: content-type, content-length,
       * content-encoding, cache-control, etag, last-modified, location,
       * server, vary, x-powered-by, x-version, x-revision, retry-after.
       * Redacted headers show, with their value hidden, whether listed or
       * not.
       */
      showHeaders?: string[];
      /**
       * Per environment name: headers sent with that environment's probes
       * only, e.g. an `Authorization` for production's monitoring
       * endpoint. Their values never appear in results: they are scrubbed
       * from answers that echo them.
       */
      environments?: {
        [environment: string]: {
          /**
           * Header name to value. `Cookie` and hop-by-hop headers are
           * refused. Every value is a secret.
           * @deepVisibility secret
           */
          headers?: { [name: string]: string };
          /**
           * Host patterns (like `allowedHosts`) these headers may be sent
           * to. Defaults to every `allowedHosts` entry; set it so that a
           * catalog annotation pointing at another allowed host never
           * receives them.
           */
          hosts?: string[];
        };
      };
      /**
       * At most `requests` probes per user in each `window`, counted in the
       * plugin's database and so shared by every backend replica. Fixed
       * windows aligned to the epoch (a one-minute window is each clock
       * minute): a user may get up to twice the limit across the boundary
       * of two windows. Over the limit answers 429 with Retry-After (the
       * end of the window); refused probes are not counted.
       */
      rateLimit?: {
        /** Defaults to 30. */
        requests?: number;
        /** Defaults to one minute. */
        window?: HumanDuration | string;
      };
      /**
       * Fields of every service's answers expected to differ between
       * environments: JSON paths (`$.build.time`, `$.items[0].id`,
       * `$.instances[*].uptime`; a path covers everything inside it) and
       * header names, e.g. `['$.build.time', '$.uptime', 'x-served-by']`.
       * A service adds its own with the `env-parity/probe-ignore`
       * annotation (comma separated). Their differences are shown as
       * ignored (expected to differ) and do not make an environment differ
       * from the reference. Entries that are neither are not applied: the
       * backend logs them and the Parity tab notes them.
       */
      ignore?: string[];
    };
  };
}
