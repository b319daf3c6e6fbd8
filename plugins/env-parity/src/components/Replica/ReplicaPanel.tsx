import { useEffect, useState } from 'react';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  envParityReplicaCreatePermission,
  isActiveReplicaStatus,
  ParityReport,
  permissionDeniedMessage,
  Replica,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { exactTime } from '../EnvParityContent/format';
import { LoadError, useCardNotice } from '../shared/CardParts';
import { DeleteReplicaDialog, ExtendReplicaDialog } from './ReplicaDialogs';
import { ReplicaList } from './ReplicaList';
import { LaunchReplicaDialog } from './LaunchReplicaDialog';
import { lifetimeLabel } from './format';
import { ServiceReplicas } from './useServiceReplicas';

const useStyles = makeStyles(theme => ({
  panel: {
    marginTop: theme.spacing(2),
  },
  offer: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
  },
}));

/** Re-renders every `ms` so that relative times stay true. */
function useNow(ms: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/**
 * On the Reproduce card, where production replicas are enabled: **Launch a
 * production replica** (disabled, saying why, without
 * `env-parity.replica.create` on the entity) and the user's replicas of the
 * service, each with its status, expiry, how to reach it and what its
 * configuration came from, to extend or delete. Renders nothing where
 * replicas are not enabled.
 */
export function ReplicaPanel(props: {
  entity: Entity;
  report: ParityReport;
  replicas: ServiceReplicas;
}) {
  // no permission asked, nothing polled, where replicas are not enabled
  return props.replicas.settings?.enabled ? <Panel {...props} /> : null;
}

function Panel(props: {
  entity: Entity;
  report: ParityReport;
  replicas: ServiceReplicas;
}) {
  const classes = useStyles();
  const { entity, report, replicas } = props;
  const entityRef = stringifyEntityRef(entity);
  const identityApi = useApi(identityApiRef);
  const me = useAsync(
    async () => (await identityApi.getBackstageIdentity()).userEntityRef,
    [identityApi],
  );
  const permission = usePermission({
    permission: envParityReplicaCreatePermission,
    resourceRef: entityRef,
  });
  const now = useNow(30_000);
  const [launching, setLaunching] = useState(false);
  const [extending, setExtending] = useState<Replica>();
  const [deleting, setDeleting] = useState<Replica>();
  const { setNotice, element: noticeElement } = useCardNotice();
  const { retry } = replicas;
  const settings = replicas.settings!;
  const reference = report.environments.find(e => e.reference);
  const referenceTitle = reference?.title ?? 'Production';
  const lower = referenceTitle.toLocaleLowerCase('en-US');
  const titleOf = (name: string) =>
    report.environments.find(e => e.name === name)?.title ?? name;
  const items = replicas.value ?? [];
  const active = items.filter(r => isActiveReplicaStatus(r.status)).length;
  // an explicit denial disables the button; the backend has the final word
  const denied =
    !permission.loading && !permission.allowed && !permission.error;
  const deniedId = 'replica-launch-denied';

  return (
    <div
      className={classes.panel}
      role="region"
      aria-label="Production replicas"
    >
      <Typography variant="subtitle2" component="h3">
        A private replica of {referenceTitle}
      </Typography>
      {noticeElement}
      <div className={classes.offer}>
        <Typography variant="body2" style={{ flex: '1 1 320px' }}>
          Runs exactly what {referenceTitle} runs in a namespace of your own
          {settings.cluster ? ` in the ${settings.cluster} cluster` : ''}, for{' '}
          {lifetimeLabel(settings.defaultLifetimeMinutes)} by default (at most{' '}
          {lifetimeLabel(settings.maxLifetimeMinutes)}). You have {active} of{' '}
          {settings.perUserLimit} active.
        </Typography>
        <Button
          variant="contained"
          color="primary"
          onClick={() => setLaunching(true)}
          disabled={denied || permission.loading}
          aria-describedby={denied ? deniedId : undefined}
        >
          Launch a {lower} replica
        </Button>
      </div>
      {denied && (
        <Typography variant="body2" color="textSecondary" id={deniedId}>
          {permissionDeniedMessage(
            `launch a replica of ${entity.metadata.name}`,
            envParityReplicaCreatePermission.name,
          )}
        </Typography>
      )}
      <LoadError what="your replicas" error={replicas.error} />
      {!replicas.value && replicas.loading && <Progress />}
      {replicas.value && items.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          You have no replicas of {entity.metadata.name}.
        </Typography>
      )}
      {items.length > 0 && (
        <ReplicaList
          replicas={items}
          me={me.value}
          now={now}
          titleOf={titleOf}
          maxLifetimeMinutes={settings.maxLifetimeMinutes}
          onExtend={setExtending}
          onDelete={setDeleting}
        />
      )}
      {launching && (
        <LaunchReplicaDialog
          open
          entityRef={entityRef}
          report={report}
          settings={settings}
          replicas={replicas.value}
          onClose={() => setLaunching(false)}
          onLaunched={launched => {
            setLaunching(false);
            setNotice({
              severity: 'success',
              text: `Launching a replica of ${entity.metadata.name} in ${launched.namespace}: it is ready once every pod runs ${referenceTitle}'s digests.`,
            });
            retry();
          }}
        />
      )}
      <ExtendReplicaDialog
        replica={extending}
        maxLifetimeMinutes={settings.maxLifetimeMinutes}
        onClose={() => setExtending(undefined)}
        onDone={extended => {
          setExtending(undefined);
          setNotice({
            severity: 'success',
            text: `${extended.namespace} now expires ${exactTime(
              extended.expiresAt,
            )}.`,
          });
          retry();
        }}
      />
      <DeleteReplicaDialog
        replica={deleting}
        onClose={() => setDeleting(undefined)}
        onDone={deleted => {
          setDeleting(undefined);
          setNotice({
            severity: 'success',
            text: `Deleted ${deleted.namespace}.`,
          });
          retry();
        }}
      />
    </div>
  );
}
