import { ADMIN, ALICE, BOB, CAROL, DAVE, MALLORY } from './__testUtils__';
import { as, body, setup } from './__testUtils__/service';

jest.setTimeout(60_000);

const COMMAND = 'kubectl --context prod -n payments get pods';

/*
 * How to use a grant goes to the grantee, the approvers and access admins
 * only: anyone else neither gets the request nor its instructions.
 */
describe('who gets the instructions of a grant', () => {
  async function activeGrant() {
    const context = await setup({
      access: { instructions: { production: COMMAND } },
    });
    const request = await context.access.create(as(ALICE), body);
    await context.access.approve(as(BOB), request.id, {});
    return { ...context, id: request.id };
  }

  it.each([
    ['the grantee', ALICE],
    ['an approver', CAROL],
    ['an access admin', ADMIN],
  ])('%s does', async (_who, user) => {
    const { access, id } = await activeGrant();
    const seen = await access.get(as(user), id);
    expect(seen).toMatchObject({ status: 'active', instructions: COMMAND });
    const listed = await access.list(as(user), {
      entityRef: 'component:default/payments',
    });
    expect(listed.find(r => r.id === id)?.instructions).toBe(COMMAND);
    await access.close();
  });

  it.each([
    ['a reviewer of another team', MALLORY, {}],
    [
      'a member of the approvers without the review permission',
      DAVE,
      { review: false },
    ],
  ])('%s does not', async (_who, user, can) => {
    const { access, id } = await activeGrant();
    await expect(access.get(as(user, can), id)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    const listed = await access.list(as(user, can), {
      entityRef: 'component:default/payments',
    });
    expect(listed.filter(r => r.id === id)).toEqual([]);
    expect(JSON.stringify(listed)).not.toContain(COMMAND);
    await access.close();
  });
});
