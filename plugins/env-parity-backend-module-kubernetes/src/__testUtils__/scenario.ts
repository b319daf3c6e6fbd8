import { FakeKubernetes } from './fakeKubernetes';
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
