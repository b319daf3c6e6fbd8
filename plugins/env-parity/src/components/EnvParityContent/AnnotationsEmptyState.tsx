import { CodeSnippet, EmptyState } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ScrollRegion } from './ScrollRegion';
import {
  environmentAnnotation,
  EnvironmentAnnotationField,
  ParityReport,
} from '@env-parity/plugin-env-parity-common';

/** The fields the snippet lists for each environment, in order. */
export const SNIPPET_FIELDS = [
  'version',
  'revision',
  'artifact',
  'deployed-at',
  'deployed-by',
  'url',
] as const satisfies readonly EnvironmentAnnotationField[];

const useStyles = makeStyles({
  key: {
    whiteSpace: 'nowrap',
  },
});

const EXAMPLE_VALUES: Record<
  (typeof SNIPPET_FIELDS)[number],
  (env: string, name: string) => string
> = {
  version: () => '1.4.2',
  revision: () => '<full git commit SHA>',
  artifact: (_, name) => `<registry>/${name}@sha256:<64 hex digest>`,
  'deployed-at': () => '2025-01-31T14:05:00Z',
  'deployed-by': () => '<person or pipeline>',
  url: (env, name) => `https://${name}.${env}.example.com`,
};

/**
 * The YAML a CI pipeline should write to the entity so that each environment
 * of the report has something to show.
 */
export function annotationSnippet(
  environments: string[],
  entityName: string,
): string {
  const lines = ['metadata:', '  annotations:'];
  for (const env of environments) {
    for (const field of SNIPPET_FIELDS) {
      lines.push(
        `    ${environmentAnnotation(env, field)}: '${EXAMPLE_VALUES[field](
          env,
          entityName,
        )}'`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * Shown when no environment of the entity has any deployment data: which
 * annotations to add, for each configured environment.
 */
export function AnnotationsEmptyState(props: {
  report: ParityReport;
  entityName: string;
}) {
  const classes = useStyles();
  const { report, entityName } = props;
  const envs = report.environments.map(e => e.name);
  const example = envs[0] ?? '<environment>';
  const description = (
    <>
      <Typography variant="body1" component="span" display="block" paragraph>
        Env Parity has no deployment data for any environment of this component
        ({report.environments.map(e => e.title).join(', ')}). Have your
        deployment pipeline write what it deployed as annotations on the entity,
        one set per environment.
      </Typography>
      <Typography variant="body1" component="span" display="block" paragraph>
        For each environment add{' '}
        {SNIPPET_FIELDS.map((field, i) => (
          <span key={field}>
            {i > 0 && (i === SNIPPET_FIELDS.length - 1 ? ' and ' : ', ')}
            <code className={classes.key}>
              {environmentAnnotation(example, field)}
            </code>
          </span>
        ))}
        {envs.length > 1 && (
          <>
            {' '}
            (and the same with{' '}
            {envs.slice(1).map((env, i) => (
              <span key={env}>
                {i > 0 && ', '}
                <code className={classes.key}>env-parity/{env}.*</code>
              </span>
            ))}
            )
          </>
        )}
        . Only the fields you know are needed; the revision or the artifact
        digest gives the most precise answer.
      </Typography>
    </>
  );
  return (
    <EmptyState
      missing="field"
      title="No deployment data for this component yet"
      description={description}
      action={
        // scrolls sideways in a region the keyboard reaches; plain text,
        // as the highlighter's colours lack contrast
        <Box width="100%" maxWidth={800}>
          <ScrollRegion label="Annotations to add">
            <CodeSnippet
              language="text"
              text={annotationSnippet(envs, entityName)}
              showCopyCodeButton
              customStyle={{ overflowX: 'visible' }}
            />
          </ScrollRegion>
        </Box>
      }
    />
  );
}
