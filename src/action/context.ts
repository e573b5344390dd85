/** The Action's inputs and the run's context, read from what GitHub Actions sets in the environment. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { SssError } from '../errors.js';
import { RepositoryView } from '../ceremony/rules.js';
import { RepositoryState } from '../ceremony/repository.js';
import { CeremonyFiles, readCeremony } from '../ceremony/tree.js';

export type Mode = 'validate' | 'publish' | 'status';

export interface Inputs {
  mode: 'auto' | Mode;
  /** Repository-relative, without a trailing slash. */
  ceremoniesDir: string;
  publicInfoDir: string;
  maintainers: string[];
  publishVia: 'commit' | 'pull-request';
  token: string;
}

export interface RunContext {
  eventName: string;
  // GitHub's event payload: read field by field, each with a fallback.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  event: Record<string, any>;
  workspace: string;
  /** owner/name of the repository the workflow runs in. */
  repository?: string;
  ref?: string;
}

const relDir = (s: string, name: string): string => {
  const d = s
    .trim()
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  if (!d || d.startsWith('/') || d.split('/').includes('..'))
    throw new SssError(`expected a directory inside the repository, got ${JSON.stringify(s)}`, {
      code: 'usage',
      field: name,
    });
  return d;
};

export function readInputs(): Inputs {
  const mode = core.getInput('mode') || 'auto';
  if (!['auto', 'validate', 'publish', 'status'].includes(mode))
    throw new SssError(`expected auto, validate, publish or status, got ${JSON.stringify(mode)}`, {
      code: 'usage',
      field: 'mode',
    });
  const publishVia = core.getInput('publish-via') || 'commit';
  if (publishVia !== 'commit' && publishVia !== 'pull-request')
    throw new SssError(`expected commit or pull-request, got ${JSON.stringify(publishVia)}`, {
      code: 'usage',
      field: 'publish-via',
    });
  return {
    mode: mode as Inputs['mode'],
    ceremoniesDir: relDir(core.getInput('ceremonies-dir') || 'ceremonies', 'ceremonies-dir'),
    publicInfoDir: relDir(core.getInput('public-info-dir') || 'public_info', 'public-info-dir'),
    maintainers: parseLogins(core.getInput('maintainers')),
    publishVia,
    token: core.getInput('token'),
  };
}

/** Logins separated by commas, spaces or newlines; a leading @ is dropped. */
function parseLogins(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((x) => x.replace(/^@/, ''))
    .filter(Boolean);
}

export function readContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const path = env.GITHUB_EVENT_PATH;
  const event = path && existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    repository: env.GITHUB_REPOSITORY,
    ref: env.GITHUB_REF,
  };
}

/** A repository checkout (or an exported tree) as the rules see it. */
export function repositoryView(root: string, ceremoniesDir: string, state: RepositoryState): RepositoryView {
  const trees = new Map<string, CeremonyFiles | undefined>();
  return {
    state,
    ceremony(id: string) {
      if (!trees.has(id)) {
        const dir = join(root, ceremoniesDir, id);
        trees.set(id, existsSync(dir) ? readCeremony(dir, root) : undefined);
      }
      return { tree: trees.get(id), report: state.reports.get(id) };
    },
  };
}
