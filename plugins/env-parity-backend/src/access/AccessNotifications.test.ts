import { Entity } from '@backstage/catalog-model';
import { accessEntities, ALICE, BOB, CAROL } from './__testUtils__';
import { as, body, setup } from './__testUtils__/service';

jest.setTimeout(60_000);

/** The test organisation, with display names for Alice and Bob. */
function withDisplayNames(): Entity[] {
  const names: Record<string, string> = {
    alice: 'Alice Andersson',
    bob: 'Bob Brown',
  };
  return accessEntities().map(e =>
    e.kind === 'User' && names[e.metadata.name]
      ? {
          ...e,
          spec: {
            ...e.spec,
            profile: {
              ...(e.spec?.profile as object),
              displayName: names[e.metadata.name],
            },
          },
        }
      : e,
  );
}

const COMMAND = 'kubectl --context prod -n payments get pods';

describe('access notifications', () => {
  it('name people by display name and the service every time, and say once when access ends', async () => {
    const { access, notifications } = await setup({
      entities: withDisplayNames(),
      access: { instructions: { production: COMMAND } },
    });
    const request = await access.create(as(ALICE), body);
    await access.approve(as(BOB), request.id, {});
    await access.revoke(as(CAROL), request.id, { comment: 'Incident closed' });
    await access.close();

    expect(
      notifications.sent.map(n => [n.payload.title, n.payload.description]),
    ).toEqual([
      [
        'Access requested to payments in production',
        `Alice Andersson asks for 30 minutes of read-only access to payments in production: ${body.reason}`,
      ],
      [
        'Access approved: payments in production',
        'Bob Brown approved your request for read-only access to payments in production. It is being granted now.',
      ],
      [
        'Access active: payments in production',
        // T0 + 30 minutes, without seconds or milliseconds, then the command
        `You have read-only access to payments in production until 2026-11-28 09:30 UTC. Use it with: ${COMMAND}`,
      ],
      [
        'Access revoked: payments in production',
        // no display name in the catalog: the user's name, never the ref
        'carol revoked your read-only access to payments in production: Incident closed',
      ],
    ]);
    for (const n of notifications.sent) {
      expect(n.payload.description).not.toMatch(/user:default\//);
    }
  });

  it('denials name the denier and the service', async () => {
    const { access, notifications } = await setup({
      entities: withDisplayNames(),
    });
    const request = await access.create(as(ALICE), body);
    await access.deny(as(BOB), request.id, { comment: 'Use staging' });
    await access.close();
    expect(notifications.sent.at(-1)!.payload.description).toBe(
      'Bob Brown denied your request for read-only access to payments in production: Use staging',
    );
  });
});
