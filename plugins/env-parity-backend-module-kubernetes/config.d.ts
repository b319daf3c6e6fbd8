import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * The Kubernetes plugin's configuration, read as is; env-parity reads
   * only the part declared here.
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
         * env-parity supports `serviceAccount` only; a mapped cluster with
         * another auth provider is skipped with a warning.
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
     * The Kubernetes deployment provider. Without `clusters` it reads
     * nothing.
     */
    kubernetes?: {
      /**
       * Cluster name (from `kubernetes.clusterLocatorMethods`) to the
       * environment it serves, e.g. `staging-cluster: staging`. Only listed
       * clusters are read. Several clusters may serve one environment; their
       * workloads are combined.
       */
      clusters: {
        [clusterName: string]: string;
      };
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
       * Show ConfigMap values in reports instead of hashes only. Defaults to
       * false. Secret values are never shown, stored or logged.
       */
      showConfigMapValues?: boolean;
    };
  };
}
