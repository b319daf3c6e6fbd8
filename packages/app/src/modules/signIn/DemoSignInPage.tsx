/*
 * DEMO ONLY: a sign-in page where you pick who you are, so that journeys
 * between two people (a developer asks for access, an SRE grants it) can be
 * tried in one browser. It signs in through the backend's `demo` provider
 * (packages/backend/src/demoAuth.ts), which accepts only the users listed
 * in app-config.yaml and gives each its catalog identity and groups.
 */
import { useState } from 'react';
import {
  Content,
  ContentHeader,
  Header,
  Page,
  ProxiedSignInPage,
} from '@backstage/core-components';
import { configApiRef, IdentityApi, useApi } from '@backstage/core-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import {
  Avatar,
  Button,
  Card,
  CardActions,
  CardContent,
  CardHeader,
  Grid,
  Typography,
} from '@material-ui/core';
import {
  DEMO_USERS,
  DemoUser,
  forgetDemoUser,
  rememberDemoUser,
  rememberedDemoUser,
} from './demoUsers';

/** The backend auth provider that signs demo users in. */
const PROVIDER = 'demo';
const HEADER = 'x-demo-user';

/**
 * The identity of the proxied sign-in, except that signing out also forgets
 * the chosen user: the app then reloads onto the picker instead of signing
 * the same user in again.
 */
function forgettingOnSignOut(identity: IdentityApi): IdentityApi {
  // the deprecated synchronous methods too, for components that still use them
  const legacy = identity as IdentityApi & Record<string, unknown>;
  const wrapped: IdentityApi & Record<string, unknown> = {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    async signOut() {
      forgetDemoUser();
      await identity.signOut();
    },
  };
  for (const method of ['getUserId', 'getIdToken', 'getProfile']) {
    const fn = legacy[method];
    if (typeof fn === 'function') {
      wrapped[method] = (...args: unknown[]) => fn.apply(identity, args);
    }
  }
  return wrapped;
}

function UserCard(props: { user: DemoUser; onChoose: () => void }) {
  const { user, onChoose } = props;
  const headingId = `demo-user-${user.name}`;
  return (
    <Card
      component="section"
      aria-labelledby={headingId}
      style={{ height: '100%', display: 'flex', flexDirection: 'column' }}
    >
      <CardHeader
        avatar={<Avatar aria-hidden>{user.title.charAt(0)}</Avatar>}
        title={
          <Typography variant="h6" component="h2" id={headingId}>
            {user.title}
          </Typography>
        }
        subheader={user.role}
      />
      <CardContent style={{ flexGrow: 1 }}>
        <Typography variant="body2" color="textSecondary">
          {user.description}
        </Typography>
        <Typography variant="caption" color="textSecondary" component="p">
          user:default/{user.name}
        </Typography>
      </CardContent>
      <CardActions>
        <Button
          variant="contained"
          color="primary"
          onClick={onChoose}
          aria-label={`Sign in as ${user.title}`}
        >
          Sign in as {user.title}
        </Button>
      </CardActions>
    </Card>
  );
}

function Picker(props: { onChoose: (name: string) => void }) {
  const configApi = useApi(configApiRef);
  return (
    <Page themeId="home">
      <Header
        title={configApi.getOptionalString('app.title') ?? 'Backstage'}
        subtitle="Demo: choose who you are"
      />
      <Content>
        <ContentHeader title="Sign in as a demo user" />
        <Typography paragraph>
          This demo has no real sign-in. Pick a user to see Backstage as they
          do; sign out (Settings) to come back here and switch.
        </Typography>
        <Grid container spacing={3} component="ul" style={{ padding: 0 }}>
          {DEMO_USERS.map(user => (
            <Grid
              item
              xs={12}
              sm={6}
              md={4}
              key={user.name}
              component="li"
              style={{ listStyle: 'none' }}
            >
              <UserCard
                user={user}
                onChoose={() => props.onChoose(user.name)}
              />
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}

function SignInError(props: { error?: Error; onBack: () => void }) {
  return (
    <Page themeId="home">
      <Header title="Sign-in failed" />
      <Content>
        <Typography paragraph role="alert">
          {props.error?.message ?? 'The demo user could not be signed in.'}
        </Typography>
        <Button variant="contained" color="primary" onClick={props.onBack}>
          Choose another user
        </Button>
      </Content>
    </Page>
  );
}

/** DEMO ONLY: the sign-in page of the demo app. */
export function DemoSignInPage(props: SignInPageProps) {
  const { onSignInSuccess } = props;
  const [user, setUser] = useState<string | undefined>(rememberedDemoUser);

  if (!user) {
    return (
      <Picker
        onChoose={name => {
          rememberDemoUser(name);
          setUser(name);
        }}
      />
    );
  }
  const back = () => {
    forgetDemoUser();
    setUser(undefined);
  };
  return (
    <ProxiedSignInPage
      // a new attempt for each user
      key={user}
      provider={PROVIDER}
      headers={{ [HEADER]: user }}
      onSignInSuccess={identity =>
        onSignInSuccess(forgettingOnSignOut(identity))
      }
      ErrorComponent={({ error }) => (
        <SignInError error={error} onBack={back} />
      )}
    />
  );
}
