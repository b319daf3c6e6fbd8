import { FakeKubernetes } from '@env-parity/fake-apis';
import { configMap, digest, pod, secret, workload } from './objects';

export const IMAGE = 'ghcr.io/acme/api';
export const SIDECAR_IMAGE = 'envoyproxy/envoy:v1.30.1';

/**
 * The `api` service in namespace `shop` of one cluster: a Deployment `api`
 * with containers `envoy` (sidecar, listed first) and `api`, pods running
 * the given digests of the api container, a ConfigMap `api-config` and a
 * Secret `api-secrets`.
 */
export function deployApi(
  fake: FakeKubernetes,
  options: {
    tag: string;
    /** One entry per pod: the digest character of its api container. */
    pods: string[];
    logLevel: string;
    dbPassword: string;
    version?: string;
    memory?: string;
  },
) {
  const labels = {
    'backstage.io/kubernetes-id': 'api',
    app: 'api',
    ...(options.version
      ? { 'app.kubernetes.io/version': options.version }
      : {}),
  };
  fake.add(
    workload({
      name: 'api',
      labels,
      replicas: options.pods.length,
      containers: [
        {
          name: 'envoy',
          image: SIDECAR_IMAGE,
          resources: { limits: { memory: '128Mi' } },
        },
        {
          name: 'api',
          image: `${IMAGE}:${options.tag}`,
          resources: {
            requests: { cpu: '250m', memory: options.memory ?? '256Mi' },
            limits: { memory: options.memory ?? '256Mi' },
          },
          env: [
            { name: 'FEATURE_FLAG', value: 'on' },
            {
              name: 'LOG_LEVEL',
              valueFrom: {
                configMapKeyRef: { name: 'api-config', key: 'LOG_LEVEL' },
              },
            },
            {
              name: 'DB_PASSWORD',
              valueFrom: {
                secretKeyRef: { name: 'api-secrets', key: 'DB_PASSWORD' },
              },
            },
            {
              name: 'POD_NAMESPACE',
              valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
            },
          ],
          envFrom: [{ configMapRef: { name: 'api-config' } }],
        },
      ],
      volumes: [
        { name: 'extra', configMap: { name: 'api-extra', optional: true } },
      ],
    }),
    ...options.pods.map((d, i) =>
      pod({
        name: `api-7d9f-${i}`,
        labels: { ...labels, 'pod-template-hash': '7d9f' },
        containers: [
          {
            name: 'envoy',
            image: SIDECAR_IMAGE,
            imageID: `docker.io/envoyproxy/envoy@${digest('e')}`,
          },
          {
            name: 'api',
            image: `${IMAGE}:${options.tag}`,
            imageID: `docker-pullable://${IMAGE}@${digest(d)}`,
          },
        ],
      }),
    ),
    configMap('api-config', {
      LOG_LEVEL: options.logLevel,
      REGION: 'eu-west-1',
    }),
    secret('api-secrets', {
      DB_PASSWORD: options.dbPassword,
      API_KEY: 'same-everywhere',
    }),
  );
}

/**
 * One service `name` of many: a workload (Deployment by default) with one
 * container named like the service, its pods running the given digests, a
 * ConfigMap `<name>-config` and a Secret `<name>-secrets` it reads env
 * vars from, and optionally a ConfigMap shared with other services.
 */
export function deployService(
  fake: FakeKubernetes,
  options: {
    name: string;
    namespace?: string;
    kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Rollout';
    tag: string;
    /** One entry per pod: the digest character it runs. */
    pods: string[];
    logLevel?: string;
    secretValue?: string;
    /** The name of a ConfigMap in the same namespace, read with envFrom. */
    sharedConfig?: string;
    /** Labels beyond `backstage.io/kubernetes-id` and `app`. */
    labels?: Record<string, string>;
  },
) {
  const { name } = options;
  const namespace = options.namespace ?? 'shop';
  const labels = {
    'backstage.io/kubernetes-id': name,
    app: name,
    ...options.labels,
  };
  const image = `ghcr.io/acme/${name}`;
  fake.add(
    workload({
      kind: options.kind,
      name,
      namespace,
      labels,
      replicas: options.pods.length,
      containers: [
        {
          name,
          image: `${image}:${options.tag}`,
          resources: { requests: { cpu: '100m' }, limits: { memory: '64Mi' } },
          env: [
            { name: 'MODE', value: 'literal' },
            {
              name: 'LOG_LEVEL',
              valueFrom: {
                configMapKeyRef: { name: `${name}-config`, key: 'LOG_LEVEL' },
              },
            },
            {
              name: 'DB_PASSWORD',
              valueFrom: {
                secretKeyRef: { name: `${name}-secrets`, key: 'DB_PASSWORD' },
              },
            },
          ],
          ...(options.sharedConfig
            ? { envFrom: [{ configMapRef: { name: options.sharedConfig } }] }
            : {}),
        },
      ],
    }),
    ...options.pods.map((d, i) =>
      pod({
        name: `${name}-5c8d-${i}`,
        namespace,
        labels: { ...labels, 'pod-template-hash': '5c8d' },
        containers: [
          {
            name,
            image: `${image}:${options.tag}`,
            imageID: `${image}@${digest(d)}`,
          },
        ],
      }),
    ),
    configMap(
      `${name}-config`,
      { LOG_LEVEL: options.logLevel ?? 'info' },
      namespace,
    ),
    secret(
      `${name}-secrets`,
      { DB_PASSWORD: options.secretValue ?? `${name}-password` },
      namespace,
    ),
  );
}
