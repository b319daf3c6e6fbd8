import { ReactNode, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import SyncIcon from '@material-ui/icons/Sync';
import {
  Alignment,
  AlignmentPreview,
  envParityAlignCreatePermission,
  ParityReport,
  permissionDeniedMessage,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { envParityApiRef } from '../../api';
import { VerdictChip } from '../EnvParityContent/VerdictChip';
import {
  errorMessage,
  isInputError,
  shortRef,
  statusOf,
} from '../shared/errors';
import { CardOffer, LoadError, useCardNotice } from '../shared/CardParts';
import { Actor } from '../shared/Timeline';
import { Time } from '../shared/Time';
import { AlignDialog } from './AlignDialog';
import { AlignmentDetailsDialog } from './AlignmentDetails';
import { AlignmentStatusChip } from './AlignmentStatusChip';
import { progressLabel, targetLabel } from './format';
import { useAlignmentLink } from './routes';
import { openAlignmentOf, ServiceAlignments } from './useServiceAlignments';

const useStyles = makeStyles(theme => ({
  environment: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    '&:not(:last-of-type)': {
      paddingBottom: theme.spacing(2),
      marginBottom: theme.spacing(2),
      borderBottom: `1px solid ${theme.palette.divider}`,
    },
  },
  line: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1.5),
  },
  history: {
    marginTop: theme.spacing(3),
  },
}));

const QUERY_PARAM = 'alignment';

/** Whether aligning is off for an environment (or everywhere): 400 or 404. */
function isNotEnabled(error: Error): boolean {
  return (
    statusOf(error) === 404 ||
    (isInputError(error) && /not enabled/i.test(errorMessage(error)))
  );
}

type Offer =
  | { kind: 'preview'; preview: AlignmentPreview }
  | { kind: 'refused'; message: string }
  | { kind: 'not-enabled' };

/**
 * Asks the backend, for each environment that could be aligned, what
 * aligning would do: its answer says whether alignment is enabled there and
 * possible now (and why not).
 */
function useOffers(
  entityRef: string,
  environments: string[],
  enabled: boolean,
) {
  const api = useApi(envParityApiRef);
  const key = environments.join(',');
  return useAsync(async () => {
    if (!enabled) {
      return {};
    }
    const entries = await Promise.all(
      environments.map(async (name): Promise<[string, Offer]> => {
        try {
          return [
            name,
            {
              kind: 'preview',
              preview: await api.previewAlignment(entityRef, name),
            },
          ];
        } catch (e) {
          const error = e as Error;
          if (isNotEnabled(error)) {
            return [name, { kind: 'not-enabled' }];
          }
          return [name, { kind: 'refused', message: errorMessage(error) }];
        }
      }),
    );
    return Object.fromEntries(entries) as Record<string, Offer>;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, entityRef, key, enabled]);
}

function OpenLink(props: {
  alignment: Alignment;
  onOpen: (id: string) => void;
}) {
  const { alignment, onOpen } = props;
  const link = useAlignmentLink();
  return link ? (
    <Link to={link(alignment.id)}>View alignment and timeline</Link>
  ) : (
    <Button size="small" color="primary" onClick={() => onOpen(alignment.id)}>
      View alignment and timeline
    </Button>
  );
}

function History(props: {
  items: Alignment[];
  titleOf: (name: string) => string;
  onOpen: (id: string) => void;
}) {
  const classes = useStyles();
  const { items, titleOf, onOpen } = props;
  const link = useAlignmentLink();
  return (
    <div className={classes.history}>
      <Typography variant="subtitle1" component="h3" id="align-history-title">
        Alignments of this service
      </Typography>
      <Table size="small" aria-labelledby="align-history-title">
        <TableHead>
          <TableRow>
            <TableCell>Environment</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Target</TableCell>
            <TableCell>Requester</TableCell>
            <TableCell>Requested</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(a => (
            <TableRow key={a.id} data-alignment={a.id}>
              <TableCell>{titleOf(a.environment)}</TableCell>
              <TableCell>
                <AlignmentStatusChip status={a.status} />
              </TableCell>
              <TableCell>{targetLabel(a.target)}</TableCell>
              <TableCell>
                <Actor actor={a.requester} />
              </TableCell>
              <TableCell>
                {link ? (
                  <Link to={link(a.id)}>
                    <Time at={a.createdAt} />
                  </Link>
                ) : (
                  <Button size="small" onClick={() => onOpen(a.id)}>
                    <Time at={a.createdAt} />
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

/**
 * On the Parity tab: for each environment that does not run what the
 * reference runs, **Align with production** (where the backend enables it
 * and the permission policy allows it), the alignment under way on it, and
 * the service's alignments. Renders nothing where alignment is not
 * configured, or enabled for none of the service's environments.
 * `?alignment=<id>` (where notifications link) opens that alignment.
 */
export function AlignSection(props: {
  entity: Entity;
  report: ParityReport;
  /** The service's alignments, read once for the tab. */
  alignments: ServiceAlignments;
}) {
  const classes = useStyles();
  const { entity, report, alignments: list } = props;
  const entityRef = stringifyEntityRef(entity);
  const permission = usePermission({
    permission: envParityAlignCreatePermission,
    resourceRef: entityRef,
  });
  const [searchParams, setSearchParams] = useSearchParams();
  const openId = searchParams.get(QUERY_PARAM) ?? undefined;
  const [aligning, setAligning] = useState<{ name: string; title: string }>();
  const { setNotice, element: noticeElement } = useCardNotice();

  const { retry } = list;
  const alignments = list.value ?? [];

  const titleOf = (name: string) =>
    report.environments.find(e => e.name === name)?.title ?? name;
  const referenceTitle = titleOf(report.reference);
  const openOf = (name: string) => openAlignmentOf(alignments, name);
  const latestOf = (name: string) =>
    alignments.find(a => a.environment === name);
  const drifting = report.comparisons
    .filter(c => c.environment !== report.reference && c.verdict !== 'in-sync')
    .map(c => c.environment);
  const canCreate = permission.allowed;
  const offers = useOffers(
    entityRef,
    drifting.filter(name => !openOf(name)),
    Boolean(list.value) && canCreate,
  );

  const setOpenId = (id: string | undefined) => {
    const next = new URLSearchParams(searchParams);
    if (id) {
      next.set(QUERY_PARAM, id);
    } else {
      next.delete(QUERY_PARAM);
    }
    setSearchParams(next, { replace: true });
  };
  const detailsDialog = (
    <AlignmentDetailsDialog
      id={openId}
      onClose={() => setOpenId(undefined)}
      onChanged={retry}
    />
  );

  const notConfigured = list.error && statusOf(list.error) === 404;
  const offerOf = (name: string) => offers.value?.[name];
  // the environments shown: those drifting, and those with an alignment
  const shown = [
    ...new Set([...drifting, ...alignments.map(a => a.environment)]),
  ].filter(name => name !== report.reference);
  const alignable = drifting.some(name => {
    const offer = offerOf(name);
    return offer && offer.kind !== 'not-enabled';
  });
  const hidden =
    notConfigured ||
    ((list.loading || permission.loading) && !list.value) ||
    (!list.error &&
      alignments.length === 0 &&
      (!canCreate || (!offers.loading && !alignable)));
  if (hidden) {
    return (
      <>
        {null}
        {openId && detailsDialog}
      </>
    );
  }

  const deniedText = permissionDeniedMessage(
    `align ${entity.metadata.name}`,
    envParityAlignCreatePermission.name,
  );

  const offerFor = (name: string): ReactNode => {
    if (!drifting.includes(name)) {
      return (
        <Typography variant="body2" color="textSecondary">
          In sync with {referenceTitle}.
        </Typography>
      );
    }
    if (!canCreate) {
      return (
        <Typography variant="body2" color="textSecondary">
          {deniedText}
        </Typography>
      );
    }
    const offer = offerOf(name);
    if (!offer) {
      return offers.loading ? <Progress /> : null;
    }
    if (offer.kind === 'not-enabled') {
      return (
        <Typography variant="body2" color="textSecondary">
          Aligning {titleOf(name)} is not enabled here.
        </Typography>
      );
    }
    if (offer.kind === 'refused') {
      return (
        <Typography variant="body2" color="textSecondary">
          Cannot align now: {offer.message}
        </Typography>
      );
    }
    return (
      <CardOffer
        button={
          <Button
            variant="contained"
            color="primary"
            startIcon={<SyncIcon />}
            // its region names the environment ("Staging alignment")
            onClick={() => setAligning({ name, title: titleOf(name) })}
          >
            Align with {referenceTitle.toLocaleLowerCase('en-US')}
          </Button>
        }
      >
        Deploy {referenceTitle}'s {targetLabel(offer.preview.target)} to{' '}
        {titleOf(name)} with the {offer.preview.deployer} deployer
        {offer.preview.approvers
          ? `, once ${shortRef(offer.preview.approvers)} approves`
          : ''}
        .
      </CardOffer>
    );
  };

  return (
    <>
      <InfoCard title={`Align with ${referenceTitle}`}>
        {noticeElement}
        <LoadError what="the alignments" error={list.error} />
        {shown.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            Every environment runs what {referenceTitle} runs.
          </Typography>
        )}
        {shown.map(name => {
          const open = openOf(name);
          const latest = latestOf(name);
          const comparison = report.comparisons.find(
            c => c.environment === name,
          );
          return (
            <div
              key={name}
              className={classes.environment}
              role="region"
              aria-label={`${titleOf(name)} alignment`}
            >
              <div className={classes.line}>
                <Typography variant="subtitle1" component="h3">
                  {titleOf(name)}
                </Typography>
                {comparison && <VerdictChip verdict={comparison.verdict} />}
                {(open ?? latest) && (
                  <>
                    <AlignmentStatusChip status={(open ?? latest)!.status} />
                    <Typography
                      variant="body2"
                      color="textSecondary"
                      component="span"
                    >
                      {progressLabel((open ?? latest)!)}
                    </Typography>
                    <OpenLink
                      alignment={(open ?? latest)!}
                      onOpen={setOpenId}
                    />
                  </>
                )}
              </div>
              {!open && offerFor(name)}
            </div>
          );
        })}
        {alignments.length > 0 && (
          <History items={alignments} titleOf={titleOf} onOpen={setOpenId} />
        )}
      </InfoCard>
      {aligning && (
        <AlignDialog
          open
          entityRef={entityRef}
          environment={aligning}
          referenceTitle={referenceTitle}
          onClose={() => setAligning(undefined)}
          onCreated={created => {
            setAligning(undefined);
            setNotice({
              severity: 'success',
              text:
                created.status === 'pending-approval' && created.approvers
                  ? `Asked to align ${titleOf(created.environment)} of ${
                      entity.metadata.name
                    } with ${referenceTitle}. Members of ${shortRef(
                      created.approvers,
                    )} have been notified.`
                  : `Aligning ${titleOf(created.environment)} of ${
                      entity.metadata.name
                    } with ${referenceTitle}: the ${
                      created.deployer
                    } deployer has been called.`,
            });
            retry();
          }}
        />
      )}
      {detailsDialog}
    </>
  );
}
