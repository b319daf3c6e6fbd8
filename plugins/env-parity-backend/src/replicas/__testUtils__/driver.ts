import {
  Deployment,
  ReplicaOverride,
} from '@env-parity/plugin-env-parity-common';
import {
  EnvParityReplicaDriver,
  ReplicaLaunchResult,
  ReplicaLaunchSpec,
  ReplicaNamespace,
  ReplicaObservation,
} from '@env-parity/plugin-env-parity-node';

/** What production runs (the replica runs the same once ready). */
export const DIGEST = `sha256:${'c'.repeat(64)}`;
export const PRODUCTION: Deployment = {
  version: '2.3.0',
  revision: '89abcdef0123456789abcdef0123456789abcdef',
  artifact: `ghcr.io/acme/payments-api:2.3.0@${DIGEST}`,
  resources: [
    {
      kind: 'Deployment',
      name: 'payments-api',
      namespace: 'payments',
      location: 'prod-eu',
      images: [
        {
          container: 'api',
          image: 'ghcr.io/acme/payments-api:2.3.0',
          digests: [DIGEST],
        },
      ],
    },
  ],
  config: {
    'deployment/payments-api.replicas': { hash: 'h3', value: '3' },
    'deployment/payments-api/api.env.LOG_LEVEL': { hash: 'hi', value: 'info' },
  },
};

/**
 * A replica driver holding its namespaces in memory and recording every
 * call in order (in `log`, shared with whatever else the test records);
 * tests steer it through its fields.
 */
export class RecordingReplicaDriver implements EnvParityReplicaDriver {
  readonly id = 'recording';
  readonly sandbox = 'sandbox-eu';
  /** Its observations are compared with production's `kubernetes` snapshot. */
  readonly provider = 'kubernetes';
  readonly namespaces = new Map<
    string,
    { replicaId?: string; expiresAt?: string; override?: ReplicaOverride }
  >();
  readonly launches: ReplicaLaunchSpec[] = [];
  readonly removed: string[] = [];
  readonly expiries: Array<[string, string]> = [];
  /** The state `observe` reports. */
  state: ReplicaObservation['state'] = 'ready';
  /** Thrown by the next launch, when set. */
  launchError?: Error;
  /** Holds launches until resolved (or aborted). */
  gate?: Promise<void>;
  /** Signals launches received. */
  readonly signals: AbortSignal[] = [];

  constructor(readonly log: string[] = []) {}

  async launch(
    spec: ReplicaLaunchSpec,
    { signal }: { signal: AbortSignal },
  ): Promise<ReplicaLaunchResult> {
    this.log.push(`driver.launch ${spec.namespace}`);
    this.launches.push(spec);
    this.signals.push(signal);
    if (this.gate) {
      await Promise.race([
        this.gate,
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
      ]);
    }
    this.namespaces.set(spec.namespace, {
      replicaId: spec.replicaId,
      expiresAt: spec.expiresAt,
      override: spec.override,
    });
    if (this.launchError) {
      const error = this.launchError;
      this.launchError = undefined;
      throw error;
    }
    return {
      configPolicy: 'production-non-secret',
      workloads: [
        {
          kind: 'Deployment',
          name: 'payments-api',
          containers: [
            {
              name: 'api',
              image: `ghcr.io/acme/payments-api@${DIGEST}`,
              digest: DIGEST,
            },
          ],
        },
      ],
      config: [
        {
          object: 'payments-api-config',
          kind: 'ConfigMap',
          key: 'LOG_LEVEL',
          source: 'production',
        },
        {
          object: 'payments-api-secrets',
          kind: 'Secret',
          key: 'DB_PASSWORD',
          source: 'empty',
        },
      ],
      endpoints: [
        {
          service: 'payments-api',
          port: 8080,
          command: `kubectl --context sandbox-eu -n ${spec.namespace} port-forward svc/payments-api 8080:8080`,
        },
      ],
    };
  }

  async observe(replica: {
    namespace: string;
    replicaId: string;
  }): Promise<ReplicaObservation> {
    this.log.push(`driver.observe ${replica.namespace}`);
    if (this.state === 'failed') {
      return { state: 'failed', reason: 'ImagePullBackOff: image not found' };
    }
    return {
      state: this.state,
      ...(this.state === 'creating' && { reason: '0 of 1 pods ready' }),
      deployment: {
        ...PRODUCTION,
        // one pod per workload, by design
        config: {
          ...PRODUCTION.config,
          'deployment/payments-api.replicas': { hash: 'h1', value: '1' },
        },
        resources: PRODUCTION.resources!.map(r => ({
          ...r,
          namespace: replica.namespace,
          location: this.sandbox,
        })),
      },
    };
  }

  async setExpiry(namespace: string, expiresAt: string): Promise<void> {
    this.log.push(`driver.setExpiry ${namespace}`);
    this.expiries.push([namespace, expiresAt]);
    const ns = this.namespaces.get(namespace);
    if (ns) {
      ns.expiresAt = expiresAt;
    }
  }

  async remove(namespace: string): Promise<void> {
    this.log.push(`driver.remove ${namespace}`);
    this.removed.push(namespace);
    this.namespaces.delete(namespace);
  }

  async listNamespaces(): Promise<ReplicaNamespace[]> {
    this.log.push('driver.listNamespaces');
    return [...this.namespaces].map(([namespace, ns]) => ({
      namespace,
      ...(ns.replicaId && { replicaId: ns.replicaId }),
      ...(ns.expiresAt && { expiresAt: ns.expiresAt }),
    }));
  }

  /** The calls to the driver so far, without the namespaces. */
  calls(): string[] {
    return this.log
      .filter(l => l.startsWith('driver.'))
      .map(l => l.split(' ')[0]);
  }
}
