import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { ALICE } from '../access/__testUtils__';
import { as, DANA, start } from './__testUtils__';

jest.setTimeout(60_000);

/** The messages of an MCP Streamable HTTP answer (JSON or server-sent events). */
function mcpMessages(res: request.Response): any[] {
  if (res.type === 'application/json') {
    return [res.body].flat();
  }
  return res.text
    .split('\n')
    .filter(line => line.startsWith('data: '))
    .map(line => JSON.parse(line.slice('data: '.length)));
}

async function mcp(
  server: Awaited<ReturnType<typeof start>>['server'],
  userRef: string,
  method: string,
  params: object = {},
) {
  const res = await request(server)
    .post('/api/mcp-actions/v1')
    .set('Authorization', as(userRef))
    .set('Accept', 'application/json, text/event-stream')
    .send({ jsonrpc: '2.0', id: 1, method, params });
  expect(res.status).toBe(200);
  const [message] = mcpMessages(res);
  return message;
}

describe('actions as MCP tools over HTTP', () => {
  it('lists and calls the tools with the caller’s credentials', async () => {
    const { server, provisioner } = await start();
    const init = await mcp(server, ALICE, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'test', version: '1.0.0' },
    });
    expect(init.result.serverInfo.name).toBe('backstage');

    const tools = await mcp(server, ALICE, 'tools/list');
    expect(tools.result.tools.map((t: any) => t.name).sort()).toEqual([
      'env-parity.get-parity-report',
      'env-parity.list-drifting-services',
      'env-parity.request-production-access',
    ]);
    const access = tools.result.tools.find(
      (t: any) => t.name === 'env-parity.request-production-access',
    );
    expect(access.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
    });
    expect(access.inputSchema.required.sort()).toEqual([
      'durationMinutes',
      'entityRef',
      'reason',
    ]);

    const report = await mcp(server, ALICE, 'tools/call', {
      name: 'env-parity.get-parity-report',
      arguments: { entityRef: 'component:default/payments' },
    });
    expect(report.result.isError).toBeFalsy();
    expect(report.result.structuredContent).toMatchObject({
      entityRef: 'component:default/payments',
      closestEnvironment: 'staging',
    });
    expect(JSON.parse(report.result.content[0].text).summary).toBe(
      report.result.structuredContent.summary,
    );

    const hidden = await mcp(server, ALICE, 'tools/call', {
      name: 'env-parity.get-parity-report',
      arguments: { entityRef: 'component:default/secret' },
    });
    expect(hidden.result).toMatchObject({
      isError: true,
      content: [
        {
          type: 'text',
          text: 'NotFoundError: No entity component:default/secret in the catalog',
        },
      ],
    });

    const drifting = await mcp(server, ALICE, 'tools/call', {
      name: 'env-parity.list-drifting-services',
      arguments: {},
    });
    expect(
      drifting.result.structuredContent.services.map((s: any) => s.entityRef),
    ).toEqual(['component:default/payments']);

    const requested = await mcp(server, ALICE, 'tools/call', {
      name: 'env-parity.request-production-access',
      arguments: {
        entityRef: 'payments',
        reason: 'Checkout fails for EU customers; is production broken too?',
        durationMinutes: 15,
      },
    });
    expect(requested.result.structuredContent).toMatchObject({
      status: 'pending',
      requester: ALICE,
    });
    expect(provisioner.grants).toEqual([]);

    const danaTools = await mcp(server, DANA, 'tools/list');
    expect(danaTools.result.tools).toEqual([]);
    const dana = await mcp(server, DANA, 'tools/call', {
      name: 'env-parity.get-parity-report',
      arguments: { entityRef: 'payments' },
    });
    expect(dana.result).toMatchObject({
      isError: true,
      content: [
        {
          type: 'text',
          text: 'NotFoundError: Action "env-parity.get-parity-report" not found',
        },
      ],
    });
  });
});

describe('actions for an MCP client', () => {
  it('serve the MCP SDK client: tools listed and called over Streamable HTTP', async () => {
    const { server, provisioner } = await start();
    const { port } = server.address() as AddressInfo;
    const connect = async (userRef: string) => {
      const client = new Client({ name: 'env-parity-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(
          new URL(`http://localhost:${port}/api/mcp-actions/v1`),
          { requestInit: { headers: { Authorization: as(userRef) } } },
        ),
      );
      return client;
    };

    const alice = await connect(ALICE);
    try {
      const { tools } = await alice.listTools();
      expect(tools.map(t => t.name).sort()).toEqual([
        'env-parity.get-parity-report',
        'env-parity.list-drifting-services',
        'env-parity.request-production-access',
      ]);
      const report = await alice.callTool({
        name: 'env-parity.get-parity-report',
        arguments: { entityRef: 'payments' },
      });
      expect(report.isError).toBeFalsy();
      expect(report.structuredContent).toMatchObject({
        entityRef: 'component:default/payments',
        referenceEnvironment: 'production',
        closestEnvironment: 'staging',
      });
      const requested = await alice.callTool({
        name: 'env-parity.request-production-access',
        arguments: {
          entityRef: 'payments',
          reason: 'Checkout fails for EU customers; is production broken too?',
          durationMinutes: 20,
        },
      });
      expect(requested.structuredContent).toMatchObject({
        status: 'pending',
        requester: ALICE,
      });
      expect(provisioner.grants).toEqual([]);
    } finally {
      await alice.close();
    }

    const dana = await connect(DANA);
    try {
      expect((await dana.listTools()).tools).toEqual([]);
      const refused = await dana.callTool({
        name: 'env-parity.list-drifting-services',
        arguments: {},
      });
      expect(refused).toMatchObject({
        isError: true,
        content: [
          {
            type: 'text',
            text: 'NotFoundError: Action "env-parity.list-drifting-services" not found',
          },
        ],
      });
    } finally {
      await dana.close();
    }
  });
});
