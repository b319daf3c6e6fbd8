import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { AccessRequest } from '@env-parity/plugin-env-parity-common';
import {
  AccessGrantResult,
  AccessProvisioner,
  AccessProvisionerContext,
  renderTemplate,
} from '@env-parity/plugin-env-parity-node';
import http from 'node:http';
import https from 'node:https';

export const REQUEST_ID_LABEL = 'env-parity.io/request-id';
export const EXPIRES_AT_LABEL = 'env-parity.io/expires-at';
export const NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface KubernetesProvisionerOptions {
  /** The API server, e.g. `https://k8s.example.com:6443`. */
  url: string;
  /** A bearer token allowed to create, delete and list RoleBindings. */
  token: string;
  /** The API server's CA: base64 of the PEM (as in a kubeconfig) or the PEM itself. */
  caData?: string;
  skipTLSVerify?: boolean;
  /** Used when the service has no `backstage.io/kubernetes-namespace` annotation. */
  defaultNamespace?: string;
  /** The RBAC subject name; default `{{ user.name }}`. */
  subjectTemplate?: string;
  /** Default `User`. */
  subjectKind?: 'User' | 'Group';
  /** Default `view`. */
  clusterRole?: string;
  /** Per API call. Default 10 s. */
  timeoutMs?: number;
  logger?: LoggerService;
}

interface ApiAnswer {
  status: number;
  body: any;
}

interface RoleBinding {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
  };
}

/**
 * Grants with a RoleBinding of the `view` ClusterRole in the service's
 * namespace for the requester's subject, labelled with the request id and
 * the expiry (Unix seconds). Revoking deletes it; every sweep also deletes
 * any labelled binding past its expiry or whose request is over, so access
 * ends even if a revoke was lost.
 */
export class KubernetesProvisioner implements AccessProvisioner {
  readonly name = 'kubernetes';

  static fromConfig(
    config: Config,
    options?: { logger?: LoggerService },
  ): KubernetesProvisioner {
    const subjectKind = config.getOptionalString('subjectKind');
    if (subjectKind && subjectKind !== 'User' && subjectKind !== 'Group') {
      throw new InputError(
        `envParity.access.kubernetes.subjectKind must be User or Group`,
      );
    }
    return new KubernetesProvisioner({
      url: config.getString('url'),
      token: config.getString('token'),
      caData: config.getOptionalString('caData'),
      skipTLSVerify: config.getOptionalBoolean('skipTLSVerify'),
      defaultNamespace: config.getOptionalString('defaultNamespace'),
      subjectTemplate: config.getOptionalString('subjectTemplate'),
      subjectKind: subjectKind as 'User' | 'Group' | undefined,
      clusterRole: config.getOptionalString('clusterRole'),
      logger: options?.logger,
    });
  }

  private readonly base: URL;

  constructor(private readonly options: KubernetesProvisionerOptions) {
    this.base = new URL(options.url);
    if (
      options.defaultNamespace !== undefined &&
      !DNS_LABEL.test(options.defaultNamespace)
    ) {
      throw new InputError(
        `envParity.access.kubernetes.defaultNamespace "${options.defaultNamespace}" is not a valid namespace`,
      );
    }
  }

  async validate(request: AccessRequest, context: AccessProvisionerContext) {
    this.namespaceOf(context);
    this.subjectOf(request, context);
  }

  async grant(
    request: AccessRequest,
    context: AccessProvisionerContext,
  ): Promise<AccessGrantResult> {
    if (!request.expiresAt) {
      throw new Error(`Access request ${request.id} has no end`);
    }
    const namespace = this.namespaceOf(context);
    const subject = this.subjectOf(request, context);
    const name = bindingName(request.id);
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name,
        namespace,
        labels: {
          'app.kubernetes.io/managed-by': 'env-parity',
          [REQUEST_ID_LABEL]: request.id,
          [EXPIRES_AT_LABEL]: String(
            Math.floor(Date.parse(request.expiresAt) / 1000),
          ),
        },
        annotations: {
          'env-parity.io/requester': request.requester,
          'env-parity.io/entity-ref': request.entityRef,
          'env-parity.io/expires-at': request.expiresAt,
        },
      },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: this.options.clusterRole ?? 'view',
      },
      subjects: [
        {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: this.options.subjectKind ?? 'User',
          name: subject,
        },
      ],
    };
    const path = `${RBAC}/namespaces/${namespace}/rolebindings`;
    const created = await this.api('POST', path, binding);
    if (created.status === 409) {
      // Left by an earlier attempt whose answer was lost: replace it, so
      // its expiry label matches this grant.
      const replaced = await this.api('PUT', `${path}/${name}`, binding);
      this.check(replaced, `replace RoleBinding ${namespace}/${name}`);
    } else {
      this.check(created, `create RoleBinding ${namespace}/${name}`);
    }
    return { metadata: { namespace, roleBinding: name, subject } };
  }

  async revoke(
    request: AccessRequest,
    context: AccessProvisionerContext,
  ): Promise<void> {
    let namespace = context.grantMetadata?.namespace;
    if (!namespace) {
      try {
        namespace = this.namespaceOf(context);
      } catch {
        namespace = undefined;
      }
    }
    if (namespace) {
      await this.delete(namespace, bindingName(request.id));
    }
    // Also anything else labelled with this request, wherever it is.
    for (const binding of await this.list(
      `${REQUEST_ID_LABEL}=${request.id}`,
    )) {
      if (
        binding.metadata.namespace !== namespace ||
        binding.metadata.name !== bindingName(request.id)
      ) {
        await this.delete(binding.metadata.namespace, binding.metadata.name);
      }
    }
  }

  async reconcile(options: {
    now: Date;
    isFinal(ids: string[]): Promise<Set<string>>;
  }): Promise<void> {
    const bindings = await this.list(REQUEST_ID_LABEL);
    if (!bindings.length) {
      return;
    }
    const ids = bindings.map(b => b.metadata.labels?.[REQUEST_ID_LABEL] ?? '');
    const final = await options.isFinal([...new Set(ids)]);
    const nowSeconds = options.now.getTime() / 1000;
    for (const binding of bindings) {
      const labels = binding.metadata.labels ?? {};
      const expiresAt = Number(labels[EXPIRES_AT_LABEL]);
      const expired = !Number.isFinite(expiresAt) || expiresAt <= nowSeconds;
      if (expired || final.has(labels[REQUEST_ID_LABEL])) {
        try {
          await this.delete(binding.metadata.namespace, binding.metadata.name);
          this.options.logger?.info(
            `Removed RoleBinding ${binding.metadata.namespace}/${
              binding.metadata.name
            } of access request ${labels[REQUEST_ID_LABEL]} (${
              expired ? 'past its expiry' : 'request is over'
            })`,
          );
        } catch (error) {
          this.options.logger?.error(
            `Could not remove RoleBinding ${binding.metadata.namespace}/${binding.metadata.name}: ${error}`,
          );
        }
      }
    }
  }

  private namespaceOf(context: AccessProvisionerContext): string {
    const namespace =
      context.entity?.metadata.annotations?.[NAMESPACE_ANNOTATION] ??
      this.options.defaultNamespace;
    if (!namespace) {
      throw new InputError(
        `The service has no ${NAMESPACE_ANNOTATION} annotation and envParity.access.kubernetes.defaultNamespace is not set, so there is no namespace to grant access to`,
      );
    }
    if (!DNS_LABEL.test(namespace)) {
      throw new InputError(
        `"${namespace}" is not a valid Kubernetes namespace`,
      );
    }
    return namespace;
  }

  private subjectOf(
    request: AccessRequest,
    context: AccessProvisionerContext,
  ): string {
    const ref = parseEntityRef(request.requester);
    const profile = (context.user?.spec?.profile ?? {}) as {
      email?: string;
    };
    const subject = renderTemplate(
      this.options.subjectTemplate ?? '{{ user.name }}',
      {
        user: {
          ref: request.requester,
          name: ref.name,
          namespace: ref.namespace,
          email: profile.email,
        },
      },
    ).trim();
    if (!subject) {
      throw new InputError(
        `No Kubernetes subject for ${request.requester}: envParity.access.kubernetes.subjectTemplate renders empty`,
      );
    }
    return subject;
  }

  private async delete(namespace: string, name: string) {
    const answer = await this.api(
      'DELETE',
      `${RBAC}/namespaces/${namespace}/rolebindings/${name}`,
    );
    if (answer.status !== 404) {
      this.check(answer, `delete RoleBinding ${namespace}/${name}`);
    }
  }

  private async list(labelSelector: string): Promise<RoleBinding[]> {
    const items: RoleBinding[] = [];
    let next: string | undefined;
    do {
      const query = new URLSearchParams({ labelSelector, limit: '500' });
      if (next) {
        query.set('continue', next);
      }
      const answer = await this.api('GET', `${RBAC}/rolebindings?${query}`);
      this.check(answer, `list RoleBindings (${labelSelector})`);
      items.push(...((answer.body?.items ?? []) as RoleBinding[]));
      next = answer.body?.metadata?.continue || undefined;
    } while (next);
    return items;
  }

  private check(answer: ApiAnswer, what: string) {
    if (answer.status < 200 || answer.status >= 300) {
      const message =
        typeof answer.body?.message === 'string'
          ? answer.body.message
          : JSON.stringify(answer.body ?? '').slice(0, 200);
      throw new Error(
        `Kubernetes refused to ${what}: HTTP ${answer.status} ${message}`,
      );
    }
  }

  private api(method: string, path: string, body?: unknown) {
    const url = new URL(
      `${this.base.pathname.replace(/\/$/, '')}${path}`,
      this.base,
    );
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let ca = this.options.caData;
    if (ca && !ca.includes('-----BEGIN')) {
      ca = Buffer.from(ca, 'base64').toString('utf8');
    }
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<ApiAnswer>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: 'application/json',
            ...(payload !== undefined && {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            }),
          },
          ...(url.protocol === 'https:' && {
            ca,
            rejectUnauthorized: !this.options.skipTLSVerify,
          }),
          timeout: this.options.timeoutMs ?? 10_000,
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', chunk => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON; keep the text for the error message
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`Kubernetes API ${method} ${path} timed out`)),
      );
      req.on('error', reject);
      if (payload !== undefined) {
        req.write(payload);
      }
      req.end();
    });
  }
}

export function bindingName(requestId: string) {
  return `env-parity-access-${requestId}`.toLowerCase();
}
