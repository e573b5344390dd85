/**
 * What makes the Action a judge a pull request cannot steer (docs/maintainers.md, "Threat model"):
 *
 * - the rules come from the base: maintainers and directories are read from
 *   `.github/sss-tool.json` at the commit the pull request merges into, never from the pull
 *   request (its workflow inputs are only a fallback for a repository without that file);
 * - the diff is against what will really merge: the merge commit's first parent;
 * - a change to the judge itself (workflows, that file, action.yml, dist/) is a maintainers-only
 *   change, and the report says so first;
 * - the push is bound: the event's sender must be the artifacts' author;
 * - identities are bound to GitHub accounts through their SSH signing keys (src/ceremony/binding.ts).
 */
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { githubLogin, parseJson, parseWith } from '../artifacts/schemas.js';
import { SssError } from '../errors.js';
import { sameLogin } from '../ceremony/accounts.js';
import { bindingOf, checkBindings, DeclaredIdentity, declaredIdentity, IDENTITY_ROLES } from '../ceremony/binding.js';
import { Change, ceremonyKind, RepositoryView } from '../ceremony/rules.js';
import { classifyPath } from '../ceremony/tree.js';
import { commitOf, mergeBase } from '../github/git.js';
import { Inputs } from './context.js';

/** The repository's own rules for the Action, read at the base of every pull request. */
export const CONFIG_PATH = '.github/sss-tool.json';

const dir = z
  .string()
  .regex(/^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/-]{1,200}$/, 'expected a directory inside the repository')
  .transform((d) => d.replace(/^\.\/+/, '').replace(/\/+$/, ''))
  .refine(
    (d) => d !== '' && d !== '.' && !d.split('/').includes('.'),
    'expected a directory below the repository root',
  );
export const RepositoryConfig = z.strictObject({
  format: z.literal('sss-tool/repository@1'),
  maintainers: z.array(z.string()).max(100),
  ceremoniesDir: dir.optional(),
  publicInfoDir: dir.optional(),
});

/** Where the rules of a run came from, for the report. */
export type RulesSource = 'file' | 'inputs';

/** Files that make up the judge: a change to any of them is a maintainers-only change. */
export function judgePath(path: string): boolean {
  return path.startsWith('.github/') || path === 'action.yml' || path === 'action.yaml' || path.startsWith('dist/');
}

/**
 * A maintainers list as people write it in a template: `<your-login>` cannot be a GitHub login
 * (logins are letters, digits and single hyphens), so a placeholder left in place stops the run
 * instead of silently naming nobody, or someone.
 */
export function checkMaintainers(logins: string[], where: string): void {
  for (const l of logins)
    if (!githubLogin.safeParse(l).success)
      throw new SssError(
        `${JSON.stringify(l.length > 40 ? `${l.slice(0, 40)}…` : l)} is not a GitHub login${/[<>]/.test(l) ? " (the template's placeholder: put your maintainers' logins there)" : ''}; the Action refuses to run until the maintainers are real logins`,
        { code: 'usage', file: where === 'inputs' ? undefined : CONFIG_PATH, field: 'maintainers' },
      );
}

/** `.github/sss-tool.json` as it is at `rev`, or undefined when that commit has none. */
export function readConfigAt(ws: string, rev: string): z.infer<typeof RepositoryConfig> | undefined {
  const ls = spawnSync('git', ['ls-tree', '-l', rev, '--', CONFIG_PATH], { cwd: ws, encoding: 'utf8' });
  if (ls.status !== 0 && rev === 'HEAD') return undefined; // status mode outside a git checkout
  if (ls.status !== 0) throw new SssError(`git ls-tree ${rev} failed: ${ls.stderr.trim()}`, { code: 'git' });
  const entry = /^(\d+) (\w+) ([0-9a-f]+)\s+(\d+|-)\t/.exec(ls.stdout);
  if (!entry) return undefined;
  if (entry[1] !== '100644' && entry[1] !== '100755')
    throw new SssError(`not a regular file (git mode ${entry[1]})`, { code: 'io', file: CONFIG_PATH });
  if (Number(entry[4]) > 64 * 1024) throw new SssError('larger than 64 kB', { code: 'io', file: CONFIG_PATH });
  const blob = spawnSync('git', ['cat-file', 'blob', entry[3]], { cwd: ws, encoding: 'utf8' });
  const config = parseWith(RepositoryConfig, parseJson(blob.stdout, CONFIG_PATH), CONFIG_PATH);
  checkMaintainers(config.maintainers, CONFIG_PATH);
  return config;
}

/** The inputs with the repository's rules at `rev` applied; the workflow inputs only without the file. */
export function rulesAt(ws: string, rev: string, inputs: Inputs): { inputs: Inputs; source: RulesSource } {
  const config = readConfigAt(ws, rev);
  if (!config) {
    checkMaintainers(inputs.maintainers, 'inputs');
    return { inputs, source: 'inputs' };
  }
  return {
    inputs: {
      ...inputs,
      maintainers: config.maintainers,
      ceremoniesDir: config.ceremoniesDir ?? 'ceremonies',
      publicInfoDir: config.publicInfoDir ?? 'public_info',
    },
    source: 'file',
  };
}

/**
 * The commit the pull request's changes are measured from. actions/checkout checks out
 * refs/pull/N/merge, whose first parent is the base branch as it will be merged into:
 * `pull_request.base.sha` can lag behind it. A checkout of the head itself (no merge commit) falls
 * back to the merge base with the event's base.
 */
export async function diffBase(
  ws: string,
  head: string,
  eventBase: string | undefined,
  eventHead: string | undefined,
): Promise<string> {
  const parents = spawnSync('git', ['rev-list', '--parents', '-n', '1', head], { cwd: ws, encoding: 'utf8' })
    .stdout.trim()
    .split(' ')
    .slice(1);
  // Only GitHub's test merge (second parent: the pull request's head) says where the base is. A
  // checkout of a head that is itself a merge ("Update branch") would otherwise hide the branch's
  // earlier commits behind its first parent.
  if (parents.length === 2 && eventHead && parents[1] === eventHead) return parents[0];
  if (!eventBase || !(await commitOf(ws, eventBase)))
    throw new SssError(
      `the checkout lacks the pull request's base commit ${eventBase ?? '(none in the event)'}: use actions/checkout with fetch-depth: 0`,
      { code: 'git' },
    );
  return mergeBase(ws, eventBase, head);
}

/** Files only maintainers add: manifests, repository files, the judge; everything else under a ceremony is a participant's. */
export function participantFile(path: string, ceremoniesDir: string): boolean {
  const where = classifyPath(path, ceremoniesDir);
  return where !== undefined && where.role !== 'ceremony';
}

export interface PushContext {
  author: string;
  /** The event's sender: who opened, pushed to or reopened the pull request. */
  sender: string | undefined;
  maintainers: string[];
  ceremoniesDir: string;
}

/**
 * The push is bound to the author: a participant's artifacts arrive only in the author's own
 * pushes; a maintainer may push maintainer files onto someone's pull request, nothing else; and
 * nobody else may push at all. Each refusal names the pusher.
 */
export function pushProblems(changes: Change[], p: PushContext): SssError[] {
  if (!p.sender)
    return [
      new SssError('the pull_request event names no sender: cannot tell who pushed these changes', {
        code: 'malformed',
      }),
    ];
  if (sameLogin(p.sender, p.author)) return [];
  const maintainer = p.maintainers.some((m) => sameLogin(m, p.sender!));
  const out: SssError[] = [];
  for (const c of changes) {
    if (participantFile(c.path, p.ceremoniesDir))
      out.push(
        new SssError(
          `pushed by @${p.sender}, not by the pull request's author @${p.author}: a participant's artifacts arrive only in their own pushes (the author pushes again, or updates the branch)`,
          { code: 'not-allowed', file: c.path, culprit: p.sender },
        ),
      );
    else if (!maintainer)
      out.push(
        new SssError(`pushed by @${p.sender}, who is neither the pull request's author @${p.author} nor a maintainer`, {
          code: 'not-allowed',
          file: c.path,
          culprit: p.sender,
        }),
      );
  }
  return out;
}

/**
 * The identities this pull request adds (round-1 artifacts, join requests), each bound to its
 * login's SSH signing keys unless the ceremony opted out in a manifest already merged at the base:
 * an opt-out arriving with the identities themselves does not count.
 */
export async function bindingProblems(
  changes: Change[],
  ceremoniesDir: string,
  head: RepositoryView,
  base: () => RepositoryView,
  keysOf: (login: string) => Promise<Set<string>>,
): Promise<{ errors: SssError[]; optedOut: string[] }> {
  const ids: DeclaredIdentity[] = [];
  const optedOut = new Set<string>();
  for (const c of changes) {
    if (c.status !== 'A' || !c.content) continue;
    const where = classifyPath(c.path, ceremoniesDir);
    if (!where) continue;
    const kind = ceremonyKind(head.ceremony(where.ceremony).tree);
    if (kind === 'reshare' && where.role === 'ceremony') {
      ids.push(...reshareNewcomers(c, base()));
      continue;
    }
    if (!IDENTITY_ROLES[kind]?.includes(where.role)) continue;
    const merged = base().ceremony(where.ceremony).tree?.manifest?.value;
    if (merged && bindingOf(merged) === 'pull-request-author') {
      optedOut.add(where.ceremony);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(c.content).toString('utf8'));
    } catch {
      continue; // the audit reports the malformed file
    }
    const id = declaredIdentity(c.path, value);
    if (id) ids.push(id);
  }
  return { errors: await checkBindings(ids, keysOf), optedOut: [...optedOut] };
}

/**
 * The newcomers a reshare proposal brings in (holders the base's group does not have yet): their
 * identities enter the group here, so their signing keys are bound like a join's request. A
 * continuing holder was bound when it joined.
 */
function reshareNewcomers(c: Change, base: RepositoryView): DeclaredIdentity[] {
  let holders: unknown;
  try {
    holders = (JSON.parse(Buffer.from(c.content!).toString('utf8')) as { holders?: unknown }).holders;
  } catch {
    return []; // the audit reports the malformed file
  }
  if (!Array.isArray(holders)) return [];
  const known = new Set(base.state.group?.participants.map((p) => p.moniker) ?? []);
  return holders
    .map((h) => declaredIdentity(c.path, h))
    .filter((id): id is DeclaredIdentity => !!id && !known.has(id.moniker));
}

/** The first line of the report when the pull request changes the judge. */
export function judgeNotice(changes: Change[], author: string | undefined, maintainers: string[]): string | undefined {
  // A path is the pull request's to choose: inside a code span, without anything that could end it.
  const judge = changes
    .filter((c) => judgePath(c.path))
    .map(
      (c) =>
        `\`${c.path
          .replace(/[^\x20-\x7e]/g, '?')
          .replace(/[`|<>\\]/g, '')
          .slice(0, 120)}\``,
    );
  if (!judge.length) return undefined;
  const isMaintainer = author !== undefined && maintainers.some((m) => sameLogin(m, author));
  return `⚠️ **Maintainers-only change**: this pull request changes the judge (${judge.slice(0, 6).join(', ')}${judge.length > 6 ? `, and ${judge.length - 6} more` : ''}).${isMaintainer ? '' : ' Only a maintainer may change it.'} A check run by a workflow this pull request changes proves nothing unless the workflow is required from a protected ref (docs/maintainers.md).`;
}

/**
 * A join ceremony's first pull request (its manifest arrives) starts from the group as the base
 * has it: `extends` must be the group's current tip. The audit alone would leave a join that
 * extends an unknown ceremony "waiting" (valid), and its request unchecked.
 */
export function joinStartProblems(
  changes: Change[],
  ceremoniesDir: string,
  head: RepositoryView,
  base: () => RepositoryView,
): SssError[] {
  const out: SssError[] = [];
  for (const c of changes) {
    const where = classifyPath(c.path, ceremoniesDir);
    if (c.status !== 'A' || where?.role !== 'ceremony' || ceremonyKind(head.ceremony(where.ceremony).tree) !== 'join')
      continue;
    const ext = (head.ceremony(where.ceremony).tree?.manifest?.value as { extends?: unknown } | undefined)?.extends;
    const group = base().state.group;
    const tip = group?.ceremonies[group.ceremonies.length - 1]?.id;
    if (!tip)
      out.push(
        new SssError('a join needs a complete group on the base branch, and there is none', {
          code: 'incomplete',
          file: c.path,
          field: 'extends',
        }),
      );
    else if (ext !== tip)
      out.push(
        new SssError(
          `extends ${typeof ext === 'string' ? JSON.stringify(ext.slice(0, 63)) : 'nothing'}, but the group on the base branch is the one after ${tip}: a join starts from the group's current tip`,
          { code: 'mismatch', file: c.path, field: 'extends' },
        ),
      );
  }
  return out;
}
