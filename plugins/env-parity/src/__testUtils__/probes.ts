import { Entity } from '@backstage/catalog-model';
import {
  ProbeEnvironmentResult,
  ProbeResult,
} from '@env-parity/plugin-env-parity-common';
import { paymentsEntity } from './reports';

/** The payments entity, with an instance URL for staging and production. */
export const probedEntity: Entity = {
  ...paymentsEntity,
  metadata: {
    ...paymentsEntity.metadata,
    annotations: {
      ...paymentsEntity.metadata.annotations,
      'env-parity/staging.url': 'https://payments.staging.example.com',
      'env-parity/production.url': 'https://payments.example.com',
    },
  },
};

function jsonBody(value: unknown) {
  const body = JSON.stringify(value);
  return { bodyType: 'json' as const, body, bodyBytes: body.length };
}

export function stagingAnswer(
  fields: Partial<ProbeEnvironmentResult> = {},
): ProbeEnvironmentResult {
  return {
    environment: 'staging',
    title: 'Staging',
    reference: false,
    url: 'https://payments.staging.example.com/api/config',
    status: 200,
    statusText: 'OK',
    latencyMs: 12,
    headers: {
      'content-type': 'application/json',
      'x-version': '1.5.0',
      'set-cookie': '[redacted]',
    },
    redactedHeaders: ['set-cookie'],
    ...jsonBody({
      version: '1.5.0',
      features: { newCheckout: true, darkMode: true },
    }),
    ...fields,
  };
}

export function productionAnswer(
  fields: Partial<ProbeEnvironmentResult> = {},
): ProbeEnvironmentResult {
  return {
    environment: 'production',
    title: 'Production',
    reference: true,
    url: 'https://payments.example.com/api/config',
    status: 200,
    statusText: 'OK',
    latencyMs: 48,
    headers: {
      'content-type': 'application/json',
      'x-version': '1.4.2',
      'set-cookie': '[redacted]',
    },
    redactedHeaders: ['set-cookie'],
    ...jsonBody({
      version: '1.4.2',
      features: { newCheckout: false, darkMode: true },
    }),
    ...fields,
  };
}

let counter = 0;

export function probeResult(
  fields: Partial<ProbeResult> = {},
  environments: ProbeEnvironmentResult[] = [
    stagingAnswer(),
    productionAnswer(),
  ],
): ProbeResult {
  counter++;
  return {
    id: `probe-${counter}`,
    entityRef: 'component:default/payments',
    method: 'GET',
    path: '/api/config',
    reference: 'production',
    startedAt: '2026-11-28T10:00:00.000Z',
    environments,
    ...fields,
  };
}
