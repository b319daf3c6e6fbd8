import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link, LinkButton } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import LockIcon from '@material-ui/icons/Lock';
import Alert from '@material-ui/lab/Alert';
import {
  DeploymentLink,
  ParityReport,
  ReportedDeployment,
  ReportEnvironment,
} from '@env-parity/plugin-env-parity-common';
import { commitUrl, githubSlug } from '../EnvParityContent/format';
import { ReplicaPanel, ServiceReplicas } from '../Replica';
import { Command } from './Command';
import { reproduceCommands, scaffolderTemplateLink } from './commands';
import { envFileOf, sortConfig } from './settings';

const useStyles = makeStyles(theme => ({
  section: {
    marginTop: theme.spacing(2),
  },
  mono: {
    fontFamily: 'monospace',
    overflowWrap: 'anywhere',
  },
  chips: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(0.5),
  },
  links: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginTop: theme.spacing(0.5),
  },
  details: {
    flexDirection: 'column',
  },
}));

/** Pull/run and checkout/worktree commands for one environment. */
function Commands(props: {
  entity: Entity;
  environment: ReportEnvironment;
  deployment: ReportedDeployment;
}) {
  const classes = useStyles();
  const { entity, environment, deployment } = props;
  const commands = reproduceCommands(
    entity.metadata.name,
    environment.name,
    deployment,
  );
  const title = environment.title;
  return (
    <>
      <div className={classes.section}>
        <Typography variant="subtitle2">Run the exact artifact</Typography>
        {!deployment.artifact && (
          <Typography variant="body2" color="textSecondary">
            No artifact is known for {title}.
          </Typography>
        )}
        {deployment.artifact && !commands.image && (
          <Typography variant="body2" color="textSecondary">
            <span className={classes.mono}>{deployment.artifact}</span> is not
            an image reference.
          </Typography>
        )}
        {commands.image && !commands.pinned && (
          <Alert severity="warning">
            {title}'s image is not pinned by digest: the tag may point to
            another image by now.
          </Alert>
        )}
        {commands.pull && (
          <Command command={commands.pull} label={`Pull ${title}'s image`} />
        )}
        {commands.run && (
          <Command command={commands.run} label={`Run ${title}'s image`} />
        )}
      </div>
      <div className={classes.section}>
        <Typography variant="subtitle2">
          Check out the exact revision
        </Typography>
        {!commands.revision && (
          <Typography variant="body2" color="textSecondary">
            No commit revision is known for {title}.
          </Typography>
        )}
        {commands.checkout && (
          <Command
            command={commands.checkout}
            label={`Check out ${title}'s revision`}
          />
        )}
        {commands.worktree && (
          <Command
            command={commands.worktree}
            label={`Add a worktree at ${title}'s revision`}
          />
        )}
      </div>
    </>
  );
}

/**
 * The application's own settings (not the deployment's plumbing), as a
 * `.env` template with the non-secret values the report carries, and the
 * `docker run` that uses it.
 */
function Settings(props: {
  title: string;
  config: ReportedDeployment['config'];
  image?: string;
}) {
  const classes = useStyles();
  const { title, config, image } = props;
  const { settings, plumbing } = sortConfig(config);
  return (
    <div className={classes.section}>
      <Typography variant="subtitle2">Configuration to provide</Typography>
      {settings.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No provider reports {title}'s application settings.
        </Typography>
      )}
      {settings.length > 0 && (
        <>
          <Typography variant="body2" color="textSecondary">
            {title} runs with {settings.length} setting
            {settings.length === 1 ? '' : 's'}. Save this as{' '}
            <span className={classes.mono}>.env</span>: non-secret values are
            filled in where known, secrets are left empty.
          </Typography>
          <div
            className={classes.chips}
            aria-label={`${title} configuration keys`}
          >
            {settings.map(setting => (
              <Chip
                key={setting.name}
                size="small"
                variant="outlined"
                label={setting.name}
                icon={setting.secret ? <LockIcon /> : undefined}
                title={setting.secret ? 'secret' : undefined}
              />
            ))}
          </div>
          <Command
            command={envFileOf(title, settings).trimEnd()}
            label={`${title}'s .env template`}
            pre
          />
          {image && (
            <Command
              command={`docker run --rm -it --env-file .env ${image}`}
              label={`Run ${title}'s image with its settings`}
            />
          )}
        </>
      )}
      {plumbing.length > 0 && (
        <Typography
          variant="body2"
          color="textSecondary"
          className={classes.section}
          title={plumbing.join('\n')}
          aria-label={`${title} deployment settings`}
        >
          Not listed: {plumbing.length} deployment setting
          {plumbing.length === 1 ? '' : 's'} (replicas, resources, sidecar
          images, Helm and Kustomize inputs) that running it locally does not
          need.
        </Typography>
      )}
    </div>
  );
}

function Links(props: { links: DeploymentLink[] }) {
  const classes = useStyles();
  if (props.links.length === 0) {
    return null;
  }
  return (
    <div className={classes.section}>
      <Typography variant="subtitle2">Records</Typography>
      <div className={classes.links}>
        {props.links.map(link => (
          <Link key={`${link.title} ${link.url}`} to={link.url}>
            {link.title}
          </Link>
        ))}
      </div>
    </div>
  );
}

/**
 * "Reproduce production": the exact artifact and revision the reference
 * environment runs, with commands to pull, run and check them out, the
 * application settings it runs with (a `.env` template, never a secret value), links to its records, and the same
 * for every other environment (collapsed). With
 * `envParity.reproduce.scaffolderTemplate` configured, also a link that
 * launches a replica from that template, prefilled; where production
 * replicas are enabled (`envParity.replicas`), the button that launches one
 * and the user's replicas.
 */
export function ReproduceCard(props: {
  entity: Entity;
  report: ParityReport;
  /** The user's production replicas of the entity, where they are enabled. */
  replicas?: ServiceReplicas;
}) {
  const classes = useStyles();
  const { entity, report, replicas } = props;
  const configApi = useApi(configApiRef);
  const template = configApi.getOptionalString(
    'envParity.reproduce.scaffolderTemplate',
  );
  const reference = report.environments.find(e => e.reference);
  const deployment = reference?.deployment;
  if (!reference || !deployment) {
    return null;
  }
  const slug = githubSlug(entity);
  const linksOf = (d: ReportedDeployment): DeploymentLink[] => {
    const commit = d.revision ? commitUrl(slug, d.revision) : undefined;
    const links = [...(d.links ?? [])];
    if (commit && !links.some(l => l.url === commit)) {
      links.unshift({ title: 'Commit', url: commit });
    }
    return links;
  };
  const commands = reproduceCommands(
    entity.metadata.name,
    reference.name,
    deployment,
  );
  const others = report.environments.filter(e => !e.reference && e.deployment);

  return (
    <InfoCard title={`Reproduce ${reference.title.toLowerCase()}`}>
      <Typography variant="body2">
        Run exactly what {reference.title} runs.
      </Typography>
      <Box className={classes.section}>
        <Typography variant="body2" component="div">
          Artifact:{' '}
          <span className={classes.mono} data-testid="reproduce-artifact">
            {deployment.artifact ?? '—'}
          </span>
        </Typography>
        <Typography variant="body2" component="div">
          Revision:{' '}
          <span className={classes.mono} data-testid="reproduce-revision">
            {deployment.revision ?? '—'}
          </span>
          {deployment.version && ` (version ${deployment.version})`}
        </Typography>
      </Box>
      <Commands
        entity={entity}
        environment={reference}
        deployment={deployment}
      />
      <Settings
        title={reference.title}
        config={deployment.config}
        image={commands.image}
      />
      <Links links={linksOf(deployment)} />
      {template && (
        <div className={classes.section}>
          <LinkButton
            variant="outlined"
            color="primary"
            to={scaffolderTemplateLink(template, {
              entityRef: stringifyEntityRef(entity),
              environment: reference.name,
              artifact: deployment.artifact,
              image: commands.image,
              revision: deployment.revision,
              version: deployment.version,
            })}
          >
            {replicas?.settings?.enabled
              ? 'Open the replica template'
              : `Launch a ${reference.title.toLowerCase()} replica`}
          </LinkButton>
        </div>
      )}
      {replicas && (
        <ReplicaPanel entity={entity} report={report} replicas={replicas} />
      )}
      {others.length > 0 && (
        <div className={classes.section}>
          <Typography variant="subtitle2" gutterBottom>
            Other environments
          </Typography>
          {others.map(env => (
            <Accordion key={env.name} TransitionProps={{ unmountOnExit: true }}>
              <AccordionSummary expandIcon={<ExpandMoreIcon />}>
                <Typography>
                  {env.title}
                  {env.deployment!.version && ` — ${env.deployment!.version}`}
                </Typography>
              </AccordionSummary>
              <AccordionDetails className={classes.details}>
                <Commands
                  entity={entity}
                  environment={env}
                  deployment={env.deployment!}
                />
                <Settings
                  title={env.title}
                  config={env.deployment!.config}
                  image={
                    reproduceCommands(
                      entity.metadata.name,
                      env.name,
                      env.deployment!,
                    ).image
                  }
                />
                <Links links={linksOf(env.deployment!)} />
              </AccordionDetails>
            </Accordion>
          ))}
        </div>
      )}
    </InfoCard>
  );
}
