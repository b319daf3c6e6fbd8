import {
  Deployment,
  parseArtifact,
} from '@env-parity/plugin-env-parity-common';

/** Shell commands that reproduce one environment's deployment locally. */
export interface ReproduceCommands {
  /** The image reference used: `repository@sha256:...` when pinned. */
  image?: string;
  /** True when the image is pinned by digest (the exact artifact). */
  pinned: boolean;
  pull?: string;
  run?: string;
  /** The full revision, when it looks like a commit SHA. */
  revision?: string;
  checkout?: string;
  worktree?: string;
}

const SHA = /^[0-9a-f]{7,40}$/i;

/**
 * The commands to pull and run exactly the image an environment runs (by
 * digest when it has one), and to check out its revision, also as a
 * `git worktree` beside the current checkout (`../<name>-<environment>`).
 * Only values that parse as an image reference or a commit SHA make it into
 * a command, so nothing from the catalog can inject shell syntax.
 */
export function reproduceCommands(
  name: string,
  environment: string,
  deployment: Deployment,
): ReproduceCommands {
  const commands: ReproduceCommands = { pinned: false };
  if (deployment.artifact) {
    try {
      const parsed = parseArtifact(deployment.artifact);
      commands.pinned = Boolean(parsed.digest);
      commands.image = parsed.digest
        ? `${parsed.repository}@${parsed.digest}`
        : deployment.artifact.trim();
      commands.pull = `docker pull ${commands.image}`;
      commands.run = `docker run --rm -it ${commands.image}`;
    } catch {
      // not an image reference: shown, but no command is made of it
    }
  }
  const revision = deployment.revision?.trim();
  if (revision && SHA.test(revision)) {
    commands.revision = revision;
    // servers let clients fetch a commit by its full SHA only
    commands.checkout =
      revision.length === 40
        ? `git fetch origin ${revision} && git checkout ${revision}`
        : `git fetch origin && git checkout ${revision}`;
    const dir = `../${name.replace(/[^\w.-]/g, '-')}-${environment}`;
    commands.worktree = `git worktree add ${dir} ${revision}`;
  }
  return commands;
}

/**
 * A link to a Scaffolder template with its form prefilled:
 * `/create/templates/<namespace>/<name>?formData=<json>`. The template is
 * given as `name`, `namespace/name` or `template:namespace/name`.
 */
export function scaffolderTemplateLink(
  template: string,
  formData: Record<string, string | undefined>,
): string {
  const ref = template.trim().replace(/^template:/i, '');
  const [namespace, name] = ref.includes('/')
    ? ref.split('/', 2)
    : ['default', ref];
  const values = Object.fromEntries(
    Object.entries(formData).filter(([, v]) => v !== undefined),
  );
  return `/create/templates/${encodeURIComponent(
    namespace,
  )}/${encodeURIComponent(name)}?formData=${encodeURIComponent(
    JSON.stringify(values),
  )}`;
}
