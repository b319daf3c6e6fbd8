import {
  testComponent,
  testEnvironments,
} from '@env-parity/plugin-env-parity-node/testUtils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { FakeKubernetes, KubeObject } from '@env-parity/fake-apis';

export const digest = (c: string) => `sha256:${c.repeat(64)}`;

export interface ContainerSpec {
  name: string;
  image: string;
  env?: unknown[];
  envFrom?: unknown[];
  resources?: unknown;
}

/** A workload (Deployment, StatefulSet, DaemonSet or Rollout) as the API returns it. */
export function workload(options: {
  kind?: string;
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  selector?: Record<string, unknown>;
  replicas?: number;
  readyReplicas?: number;
  containers: ContainerSpec[];
  volumes?: unknown[];
}): KubeObject {
  const kind = options.kind ?? 'Deployment';
  const labels = options.labels ?? {
    'backstage.io/kubernetes-id': 'api',
    app: options.name,
  };
  const replicas = options.replicas ?? 2;
  const ready = options.readyReplicas ?? replicas;
  return {
    apiVersion: kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1',
    kind,
    metadata: {
      name: options.name,
      namespace: options.namespace ?? 'shop',
      labels,
    },
    spec: {
      ...(kind === 'DaemonSet' ? {} : { replicas }),
      selector: options.selector ?? { matchLabels: { app: options.name } },
      template: {
        metadata: { labels: { ...labels, app: options.name } },
        spec: {
          containers: options.containers,
          ...(options.volumes ? { volumes: options.volumes } : {}),
        },
      },
    },
    status:
      kind === 'DaemonSet'
        ? { desiredNumberScheduled: replicas, numberReady: ready }
        : {
            replicas,
            readyReplicas: ready,
            updatedReplicas: replicas,
            availableReplicas: ready,
            conditions: [
              {
                type: 'Available',
                status: ready >= replicas ? 'True' : 'False',
              },
              {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetAvailable',
              },
            ],
          },
  };
}

/** A running pod with container statuses carrying `imageID`s. */
export function pod(options: {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  containers: Array<{ name: string; image: string; imageID: string }>;
  phase?: string;
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.name,
      namespace: options.namespace ?? 'shop',
      labels: options.labels,
    },
    spec: {
      containers: options.containers.map(c => ({
        name: c.name,
        image: c.image,
      })),
    },
    status: {
      phase: options.phase ?? 'Running',
      containerStatuses: options.containers.map(c => ({
        name: c.name,
        image: c.image,
        imageID: c.imageID,
        ready: true,
        restartCount: 0,
      })),
    },
  };
}

export function configMap(
  name: string,
  data: Record<string, string>,
  namespace = 'shop',
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data,
  };
}

/** A Secret, with its values base64-encoded as the API returns them. */
export function secret(
  name: string,
  values: Record<string, string>,
  namespace = 'shop',
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries(values).map(([k, v]) => [
        k,
        Buffer.from(v, 'utf8').toString('base64'),
      ]),
    ),
  };
}

/** A service Component with the given annotations. */
export function component(
  annotations: Record<string, string>,
  name = 'api',
): Entity {
  return testComponent(name, annotations);
}

/** A kubernetes-cluster Resource, as the Kubernetes plugin's catalog cluster locator reads them. */
export function clusterResource(
  name: string,
  annotations: Record<string, string>,
  namespace = 'default',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace, annotations },
    spec: { type: 'kubernetes-cluster', owner: 'group:default/platform' },
  };
}

export const environments = testEnvironments;

/** The app config for clusters on fakes, mapped to environments. */
export function clusterConfig(
  clusters: Array<{
    fake: FakeKubernetes;
    environment: string;
    token?: string;
  }>,
  envParity: JsonObject = {},
): JsonObject {
  return {
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: clusters.map(({ fake, token }) => ({
            name: fake.name,
            url: fake.url,
            authProvider: 'serviceAccount',
            serviceAccountToken: token ?? fake.token,
          })),
        },
      ],
    },
    envParity: {
      kubernetes: {
        clusters: Object.fromEntries(
          clusters.map(({ fake, environment }) => [fake.name, environment]),
        ),
        // generous: a loaded machine must not turn a success into a timeout
        timeout: '2m',
        ...envParity,
      },
    },
  };
}

export function testConfig(
  ...args: Parameters<typeof clusterConfig>
): ConfigReader {
  return new ConfigReader(clusterConfig(...args));
}
