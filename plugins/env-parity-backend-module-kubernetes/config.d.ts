import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * The Kubernetes plugin's configuration, read as is in direct mode;
   * env-parity reads only the part declared here. Proxy mode does not read
   * it at all: the Kubernetes backend does.
   */
  kubernetes?: {
    clusterLocatorMethods?: Array<{
      /**
       * The locator type. env-parity reads `config` only; other types are
       * skipped with one info log line.
       */
      type: string;
      clusters?: Array<{
        /** The cluster name, used as key in `envParity.kubernetes.clusters`. */
        name: string;
        /**
         * The API server URL, e.g. `https://k8s-staging.example.com`; it may
         * carry a path prefix (`http://127.0.0.1:7010/k8s/staging`).
         */
        url: string;
        /**
         * Direct mode: env-parity supports `serviceAccount` only; a mapped
         * cluster with another auth provider is skipped with a warning.
         * Proxy mode: a mapped cluster whose auth yields no bearer token
         * (`x509`, `localKubectlProxy`, none) gets a warning at startup,
         * since the Kubernetes backend then forwards env-parity's Backstage
         * token to its API server.
         */
        authProvider: string;
        /**
         * The bearer token. Without it, the pod's own token at
         * /var/run/secrets/kubernetes.io/serviceaccount/token is used if
         * present.
         * @visibility secret
         */
        serviceAccountToken?: string;
        /** The API server's CA certificate(s), base64-encoded PEM. */
        caData?: string;
        /** A file holding the API server's CA certificate(s) as PEM, when there is no `caData`. */
        caFile?: string;
        /** Skip verifying the API server's certificate. Testing only. */
        skipTLSVerify?: boolean;
      }>;
    }>;
  };
  envParity?: {
    /**
     * The Kubernetes deployment provider. Its presence enables the module
     * (`envParity.kubernetes: { clustersFromCatalog: true }` is enough when
     * kubernetes-cluster Resources carry the `env-parity/environment`
     * annotation); without it the module adds nothing.
     */
    kubernetes?: {
      /**
       * How clusters are reached. `direct` (the default): the module calls
       * the API servers of `kubernetes.clusterLocatorMethods` itself (type
       * config, authProvider serviceAccount only). `proxy`: every request
       * goes through the installed Kubernetes backend's proxy endpoint
       * (`<kubernetes base URL>/proxy`, header Backstage-Kubernetes-Cluster)
       * with env-parity's own service token, so any cluster locator and any
       * auth the Kubernetes backend can use without a user's token works.
       * The Kubernetes backend replaces that token only with a bearer token
       * of the cluster's auth: for clusters with client certificates,
       * localKubectlProxy or no auth it reaches the API server (warned
       * about at startup).
       */
      mode?: 'direct' | 'proxy';
      /**
       * Cluster name (as the Kubernetes plugin knows it) to the environment
       * it serves, e.g. `staging-cluster: staging`. Several clusters may
       * serve one environment; their workloads are combined. Wins over the
       * catalog annotation.
       */
      clusters?: {
        [clusterName: string]: string;
      };
      /**
       * Also map clusters by the `env-parity/environment` annotation of
       * catalog entities of kind Resource, spec.type kubernetes-cluster
       * (cluster name = metadata.name). Defaults to false: whoever can
       * register such a Resource could otherwise map a cluster into any
       * environment, production included; turn it on where registering
       * kubernetes-cluster Resources is restricted. Only names and
       * environments are taken from the catalog, never URLs or credentials.
       */
      clustersFromCatalog?: boolean;
      /**
       * Time for one request to a cluster, e.g. `{ seconds: 10 }` or `10s`.
       * Defaults to 10 seconds.
       */
      timeout?: HumanDuration | string;
      /**
       * The workload kinds read. Defaults to all four: Deployment,
       * StatefulSet, DaemonSet, Rollout (Argo Rollouts; skipped silently
       * where its CRD is not installed).
       */
      workloadKinds?: Array<
        'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Rollout'
      >;
      /**
       * Show ConfigMap values (and env vars taken from them with
       * configMapKeyRef) in reports instead of hashes only. Defaults to
       * false. Literal env values are always hashed only; Secret values are
       * never shown, stored or logged.
       */
      showConfigMapValues?: boolean;
      /**
       * The per-cluster inventory: instead of listing with every entity's
       * label selector, the module lists the workloads and pods of each
       * cluster cluster-wide at most once per `maxAge` and matches every
       * entity against that list in memory; the ConfigMaps and Secrets the
       * workloads refer to are read by name at most once per `maxAge` each
       * (only their keys' fingerprints are kept). One collection run then
       * costs a bounded number of list requests per cluster, whatever the
       * number of services.
       */
      inventory?: {
        /**
         * Defaults to true. False: list per entity with its label selector
         * (and namespace), read ConfigMaps and Secrets on every observation,
         * cache nothing: for small installations, or when the service
         * account may list workloads and pods in some namespaces only.
         */
        enabled?: boolean;
        /**
         * How long an inventory (and a ConfigMap's or Secret's
         * fingerprints) is reused, e.g. `{ minutes: 2 }` or `2m`. Defaults
         * to 2 minutes. A failed listing is retried by the next observation
         * after 10 seconds.
         */
        maxAge?: HumanDuration | string;
        /**
         * How old an inventory may still be used while a new one is listed
         * in the background, e.g. `{ minutes: 6 }` or `6m`. Defaults to 3 ×
         * `maxAge` (6 minutes with the default `maxAge`); at least `maxAge`.
         * Between `maxAge` and `maxStale`, observations get the previous
         * inventory at once and one listing per cluster runs in the
         * background (a failure is logged at warn and retried after 10
         * seconds); past `maxStale`, and for a cluster's first listing,
         * they wait for the listing. A refresh from the Parity tab may see
         * data up to `maxStale` old. Equal to `maxAge`: observations always
         * wait for an expired inventory. ConfigMap and Secret fingerprints
         * are not used past `maxAge`.
         */
        maxStale?: HumanDuration | string;
        /**
         * Items per page (`limit`) of the cluster-wide lists. Defaults to
         * 500. Each page must stay below 16 MiB.
         */
        pageSize?: number;
      };
    };
    /**
     * Production replicas (the Kubernetes module's keys; the backend plugin
     * declares the lifetimes and caps): private, expiring copies of what
     * production runs for a service, in a namespace of their own in a
     * sandbox cluster.
     */
    replicas?: {
      /**
       * The sandbox cluster: a cluster of `kubernetes.clusterLocatorMethods`
       * (type config, authProvider serviceAccount: written to directly,
       * with its serviceAccountToken). Start-up fails when
       * `envParity.kubernetes.clusters` maps it to the reference
       * environment, or when it is not configured. Without it the module
       * supplies no replica driver.
       */
      cluster?: string;
      /** The kubectl context of the sandbox in the port-forward commands shown. Defaults to the cluster name. */
      kubectlContext?: string;
      /**
       * The `hard` map of every replica namespace's ResourceQuota, e.g.
       * `requests.cpu: '2'`. Defaults to requests.cpu 2, requests.memory
       * 4Gi, limits.memory 8Gi, pods 20, services 20,
       * persistentvolumeclaims 5, requests.storage 20Gi.
       */
      quota?: { [resource: string]: string | number };
      /**
       * The LimitRange of every replica namespace (per container). Defaults
       * to default cpu 500m / memory 512Mi, defaultRequest cpu 100m /
       * memory 128Mi.
       */
      limitRange?: {
        default?: { [resource: string]: string | number };
        defaultRequest?: { [resource: string]: string | number };
      };
      /**
       * CIDRs replicas may reach besides DNS (port 53) and their own pods;
       * every other egress is denied by a NetworkPolicy. Defaults to none.
       */
      allowEgress?: string[];
      /**
       * ConfigMap keys whose values replace production's in replicas
       * (policy `production-non-secret`), e.g. `PAYMENTS_MODE: sandbox`.
       */
      override?: { [key: string]: string };
      /**
       * Where a replica's configuration comes from, unless a service's
       * `env-parity/replica-config-from` annotation says otherwise:
       * `production-non-secret` (the default: production's ConfigMaps with
       * `override` applied, every Secret key created empty, to provide) or
       * the name of a pre-production environment whose ConfigMaps and
       * Secrets of the same names are copied (never the reference
       * environment).
       */
      configFrom?: string;
    };
  };
}
