import { IdentityApi } from '@backstage/core-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { DemoSignInPage } from './DemoSignInPage';

const proxied = jest.fn();

jest.mock('@backstage/core-components', () => ({
  ...jest.requireActual('@backstage/core-components'),
  ProxiedSignInPage: (props: any) => {
    proxied(props);
    return <div>signing in as {props.headers['x-demo-user']}</div>;
  },
}));

function fakeIdentity(): IdentityApi {
  return {
    getProfileInfo: async () => ({ displayName: 'Alice Andersson' }),
    getBackstageIdentity: async () => ({
      type: 'user',
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: ['user:default/alice', 'group:default/sre'],
    }),
    getCredentials: async () => ({ token: 'token' }),
    signOut: jest.fn(async () => {}),
  };
}

describe('DemoSignInPage', () => {
  beforeEach(() => {
    window.sessionStorage.clear();
    proxied.mockClear();
  });

  it('offers each demo user and signs in through the demo provider', async () => {
    const onSignInSuccess = jest.fn();
    await renderInTestApp(<DemoSignInPage onSignInSuccess={onSignInSuccess} />);

    expect(
      screen.getByRole('button', { name: 'Sign in as Guest' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Sign in as Bob' }),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in as Alice' }));

    expect(await screen.findByText('signing in as alice')).toBeInTheDocument();
    expect(proxied).toHaveBeenLastCalledWith(
      expect.objectContaining({
        provider: 'demo',
        headers: { 'x-demo-user': 'alice' },
      }),
    );
    expect(window.sessionStorage.getItem('env-parity-demo:user')).toBe('alice');

    // signing out forgets the choice, so the app reloads onto the picker
    const identity = fakeIdentity();
    proxied.mock.lastCall[0].onSignInSuccess(identity);
    const signedIn: IdentityApi = onSignInSuccess.mock.lastCall[0];
    await expect(signedIn.getBackstageIdentity()).resolves.toMatchObject({
      userEntityRef: 'user:default/alice',
    });
    await signedIn.signOut();
    expect(identity.signOut).toHaveBeenCalled();
    expect(window.sessionStorage.getItem('env-parity-demo:user')).toBeNull();
  });

  it('signs the remembered user in again after a reload', async () => {
    window.sessionStorage.setItem('env-parity-demo:user', 'bob');
    await renderInTestApp(<DemoSignInPage onSignInSuccess={jest.fn()} />);
    expect(await screen.findByText('signing in as bob')).toBeInTheDocument();
  });

  it('ignores a remembered name that is not a demo user', async () => {
    window.sessionStorage.setItem('env-parity-demo:user', 'mallory');
    await renderInTestApp(<DemoSignInPage onSignInSuccess={jest.fn()} />);
    expect(
      screen.getByRole('button', { name: 'Sign in as Alice' }),
    ).toBeInTheDocument();
    expect(proxied).not.toHaveBeenCalled();
  });
});
