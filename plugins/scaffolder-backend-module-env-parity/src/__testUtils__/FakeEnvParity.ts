import { mockServices } from '@backstage/backend-test-utils';
import {
  ParityReport,
  Replica,
  ReplicaRequestBody,
  ReplicaStatus,
  isActiveReplicaStatus,
  replicaEnvironmentName,
} from '@env-parity/plugin-env-parity-common';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the fake answered: who made it, on whose behalf. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The user the bearer token was issued on behalf of. */
  user?: string;
  /** The plugin the token was issued to, when it was a service token. */
  target?: string;
  body?: unknown;
}

/** A step of a replica's progress: what each GET /replicas/:id shows next. */
export type ReplicaProgress = { status: ReplicaStatus; statusReason?: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A loopback server answering like the env-parity backend's report and
 * replica routes (replica contract of issue 14): it authenticates the
 * bearer token with the auth service (accepting only tokens issued to the
 * env-parity plugin), answers 404 for entities the caller cannot see, 403
 * where the caller lacks env-parity.replica.create, 409 at the per-user cap,
 * and moves each replica through `progress`, one step per GET.
 */
export class FakeEnvParity {
  static async start(): Promise<FakeEnvParity> {
    const fake = new FakeEnvParity();
    await new Promise<void>(resolve =>
      fake.server.listen(0, '127.0.0.1', resolve),
    );
    const { port } = fake.server.address() as AddressInfo;
    fake.baseUrl = `http://127.0.0.1:${port}/api/env-parity`;
    return fake;
  }

  readonly requests: RecordedRequest[] = [];
  /** Reports by entity ref; an entity without one is not in the catalog. */
  readonly reports = new Map<string, ParityReport>();
  /** Entity refs each user may not see (answered 404, as the catalog hides them). */
  readonly hidden = new Map<string, Set<string>>();
  /** `<user> <entityRef>` pairs refused env-parity.replica.create. */
  readonly refusedCreate = new Set<string>();
  /** Workloads a replica override may name, by entity ref. */
  readonly workloads = new Map<string, string[]>();
  perUserLimit = 2;
  /** What the GETs of a new replica show, in turn; the last one stays. */
  progress: ReplicaProgress[] = [{ status: 'creating' }, { status: 'ready' }];

  readonly replicas = new Map<string, Replica & { polls: number }>();
  private readonly auth = mockServices.auth({ pluginId: 'env-parity' });
  private readonly server = http.createServer((req, res) => {
    this.handle(req)
      .then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      })
      .catch((error: unknown) => {
        const e =
          error instanceof HttpError
            ? error
            : new HttpError(500, 'Error', String(error));
        res.writeHead(e.status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { name: e.errorName, message: e.message },
            request: { method: req.method, url: req.url },
            response: { statusCode: e.status },
          }),
        );
      });
  });

  private constructor() {}

  /** Where the fake answers, e.g. `http://127.0.0.1:40123/api/env-parity`. */
  baseUrl = '';

  /** A discovery service that finds env-parity here. */
  get discovery() {
    const baseUrl = () => this.baseUrl;
    return {
      async getBaseUrl(pluginId: string) {
        if (pluginId !== 'env-parity') {
          throw new Error(`unexpected discovery of ${pluginId}`);
        }
        return baseUrl();
      },
      async getExternalBaseUrl(pluginId: string) {
        return this.getBaseUrl(pluginId);
      },
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private async handle(
    req: http.IncomingMessage,
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      ...(body !== undefined && { body }),
    };
    this.requests.push(recorded);

    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    let user: string;
    try {
      const credentials = await this.auth.authenticate(token);
      if (!this.auth.isPrincipal(credentials, 'user')) {
        throw new Error('not issued on behalf of a user');
      }
      user = credentials.principal.userEntityRef;
    } catch (error) {
      throw new HttpError(
        401,
        'AuthenticationError',
        `Illegal token: ${(error as Error).message}`,
      );
    }
    recorded.user = user;
    recorded.target = JSON.parse(
      token.slice(token.indexOf(':') + 1) || '{}',
    ).target;

    const path = url.pathname.replace(/^\/api\/env-parity/, '');
    const entity = path.match(/^\/entities\/([^/]+)\/([^/]+)\/([^/]+)$/);
    if (req.method === 'GET' && entity) {
      const [kind, namespace, name] = entity.slice(1).map(decodeURIComponent);
      return {
        status: 200,
        body: this.visibleReport(user, `${kind}:${namespace}/${name}`),
      };
    }
    if (req.method === 'POST' && path === '/replicas') {
      return { status: 201, body: this.create(user, body) };
    }
    const one = path.match(/^\/replicas\/([^/]+)$/);
    if (req.method === 'GET' && one) {
      const replica = this.replicas.get(decodeURIComponent(one[1]));
      if (!replica || replica.requester !== user) {
        throw new HttpError(404, 'NotFoundError', `No replica ${one[1]}`);
      }
      const step =
        this.progress[Math.min(replica.polls, this.progress.length - 1)];
      replica.polls += 1;
      replica.status = step.status;
      replica.statusReason = step.statusReason;
      const { polls, ...view } = replica;
      return { status: 200, body: view };
    }
    throw new HttpError(404, 'NotFoundError', `No route ${req.method} ${path}`);
  }

  private visibleReport(user: string, entityRef: string): ParityReport {
    const report = this.reports.get(entityRef);
    if (!report || this.hidden.get(user)?.has(entityRef)) {
      throw new HttpError(
        404,
        'NotFoundError',
        `No entity ${entityRef} in the catalog`,
      );
    }
    return report;
  }

  private create(user: string, body: ReplicaRequestBody): Replica {
    if (typeof body?.entityRef !== 'string' || !body.reason) {
      throw new HttpError(
        400,
        'InputError',
        'entityRef and reason are required',
      );
    }
    if (this.refusedCreate.has(`${user} ${body.entityRef}`)) {
      throw new HttpError(
        403,
        'NotAllowedError',
        `You are not allowed to launch a replica of ${body.entityRef} (env-parity.replica.create)`,
      );
    }
    this.visibleReport(user, body.entityRef);
    if (
      body.override &&
      !this.workloads.get(body.entityRef)?.includes(body.override.workload)
    ) {
      throw new HttpError(
        400,
        'InputError',
        `${body.entityRef} has no workload ${body.override.workload} in production`,
      );
    }
    const active = [...this.replicas.values()].filter(
      r => r.requester === user && isActiveReplicaStatus(r.status),
    );
    if (active.length >= this.perUserLimit) {
      throw new HttpError(
        409,
        'ConflictError',
        `You have ${active.length} active replicas, the most one user may have (envParity.replicas.perUserLimit); delete one first`,
      );
    }
    const id = randomUUID();
    const now = new Date();
    const name = body.entityRef.split('/')[1];
    const namespace = `envp-${name.slice(0, 40)}-${id.slice(0, 8)}`;
    const replica: Replica & { polls: number } = {
      id,
      entityRef: body.entityRef,
      environment: replicaEnvironmentName(id),
      requester: user,
      reason: body.reason,
      status: 'creating',
      cluster: 'sandbox',
      namespace,
      configPolicy: 'production-non-secret',
      ...(body.override && { override: body.override }),
      workloads: [],
      config: [
        {
          object: `${name}-config`,
          kind: 'ConfigMap',
          key: 'LOG_LEVEL',
          source: 'production',
        },
        {
          object: `${name}-secrets`,
          kind: 'Secret',
          key: 'DATABASE_PASSWORD',
          source: 'empty',
        },
      ],
      endpoints: [
        {
          service: name,
          port: 8080,
          command: `kubectl --context sandbox -n ${namespace} port-forward svc/${name} 8080:8080`,
        },
      ],
      timeline: [
        {
          type: 'requested',
          actor: user,
          comment: body.reason,
          at: now.toISOString(),
        },
      ],
      createdAt: now.toISOString(),
      expiresAt: new Date(
        now.getTime() + (body.lifetimeMinutes ?? 240) * 60_000,
      ).toISOString(),
      updatedAt: now.toISOString(),
      polls: 0,
    };
    this.replicas.set(id, replica);
    const { polls, ...view } = replica;
    return view;
  }
}
