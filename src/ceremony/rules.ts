/**
 * What a pull request may change (docs/protocol.md §11), as data and pure functions: the Action feeds
 * in the changes git reports and the audited repository before and after them, and gets back every
 * problem, each naming the file and the reason. The cryptography is not re-checked here: that is
 * the audit's (`auditRepository`), the one verifier `sss-tool verify` also runs.
 *
 * Which file may be added by whom, and when, is one table (`FILE_RULES`): a ceremony kind adds its
 * rows there.
 */
import { privateMaterial } from '../artifacts/private.js';
import { SssError, SssErrorCode } from '../errors.js';
import { sameLogin } from './accounts.js';
import { PUBLIC_FILES, publicInfoFiles } from './publish.js';
import { RepositoryState } from './repository.js';
import { Report } from './report.js';
import { CeremonyFiles, MAX_ARTIFACT_BYTES, classifyPath } from './tree.js';

/** One changed path, as `git diff --raw --no-renames` reports it (a rename is a deletion and an addition). */
export interface Change {
  status: 'A' | 'M' | 'D' | 'T';
  path: string;
  /** git's file mode before and after: 100644/100755 regular, 120000 symlink, 160000 submodule, 000000 none. */
  oldMode: string;
  mode: string;
  /** Size of the new blob in bytes (added and changed files). */
  size?: number;
  /** The new bytes, for regular files of at most MAX_ARTIFACT_BYTES. */
  content?: Uint8Array;
}

/** A ceremony as the rules see it: its files and its audit, at one commit. */
export interface CeremonyView {
  tree?: CeremonyFiles;
  report?: Report;
}

/** The repository before (merge base) or after (the pull request's head) the changes. */
export interface RepositoryView {
  state: RepositoryState;
  ceremony(id: string): CeremonyView;
}

export interface ChangeContext {
  /** The pull request's author (GitHub login). */
  author: string;
  /**
   * A merge queue's group: several pull requests, no one author. Who-may-add rules were checked
   * on each pull request; everything else is checked again on what the group merges.
   */
  mergeQueue?: boolean;
  /** Logins that may add ceremony manifests, edit public_info/ and the rest of the repository. */
  maintainers: string[];
  /** Repository-relative directories, without a trailing slash. */
  ceremoniesDir: string;
  publicInfoDir: string;
  head: RepositoryView;
  /** The merge base, computed only when a rule needs it. */
  base: () => RepositoryView;
}

/** What a rule knows about the file being added. */
export interface FileInput {
  ceremony: string;
  /** The moniker in the file name (per-moniker roles). */
  moniker?: string;
  /** The parsed JSON (undefined when it does not parse: the audit reports that). */
  value: unknown;
  head: CeremonyView;
}

/** Who must open the pull request that adds a file. */
export type AuthorRule = 'maintainer' | { moniker?: string; github?: string };

export interface FileRule {
  /** Ceremony kind (ceremony.json's `kind`), or '*' for every kind. */
  kind: string;
  /** The role classifyPath names: a folder (`perMoniker`) or a single file without `.json`. */
  role: string;
  perMoniker: boolean;
  /** Shown in "expected" lists. */
  pattern: string;
  author: (f: FileInput) => AuthorRule;
  /** Why the file may not be added yet, judged on the ceremony at the merge base; undefined: it may. */
  notYet?: (base: CeremonyView) => string | undefined;
}

const byFileName = (f: FileInput): AuthorRule => ({ moniker: f.moniker });
const monikerOf = (v: unknown): string | undefined => {
  const m = (v as { moniker?: unknown } | undefined)?.moniker;
  return typeof m === 'string' ? m : undefined;
};

/** Every file a pull request may add under ceremonies/<id>/, by ceremony kind. */
export const FILE_RULES: FileRule[] = [
  // A newcomer opens their own join: its manifest may arrive with their request.json (then the
  // request's author must open the pull request); alone, it is a maintainer's.
  {
    kind: 'join',
    role: 'ceremony',
    perMoniker: false,
    pattern: 'ceremony.json',
    author: (f) => {
      const newcomer = monikerOf(f.head.tree?.singles.get('request')?.value);
      return newcomer ? { moniker: newcomer } : 'maintainer';
    },
  },
  { kind: '*', role: 'ceremony', perMoniker: false, pattern: 'ceremony.json', author: () => 'maintainer' },
  { kind: 'dkg', role: 'round1', perMoniker: true, pattern: 'round1/<moniker>.json', author: byFileName },
  {
    kind: 'dkg',
    role: 'round2',
    perMoniker: true,
    pattern: 'round2/<moniker>.json',
    author: byFileName,
    notYet: ({ report, tree }) =>
      report?.digests?.round1
        ? undefined
        : `round 2 before round 1 has closed (${tree?.byRole.get('round1')?.size ?? 0} of ${report?.participants ?? '?'} round-1 artifacts merged)`,
  },
  {
    kind: 'dkg',
    role: 'finalize',
    perMoniker: true,
    pattern: 'finalize/<moniker>.json',
    author: byFileName,
    notYet: ({ report, tree }) =>
      report?.digests?.round2
        ? undefined
        : `finalize before round 2 has closed (${tree?.byRole.get('round2')?.size ?? 0} of ${report?.participants ?? '?'} round-2 artifacts merged)`,
  },
  // Join (docs/protocol.md §7 and §11): the newcomer's request, each approver's
  // fragment once the request is merged, the newcomer's finalize once every approval is.
  {
    kind: 'join',
    role: 'request',
    perMoniker: false,
    pattern: 'request.json',
    author: (f) => ({ moniker: monikerOf(f.value) }),
  },
  {
    kind: 'join',
    role: 'approvals',
    perMoniker: true,
    pattern: 'approvals/<moniker>.json',
    author: byFileName,
    notYet: ({ report }) => (report?.digests?.request ? undefined : 'an approval before the join request is merged'),
  },
  {
    kind: 'join',
    role: 'finalize',
    perMoniker: false,
    pattern: 'finalize.json',
    author: (f) => ({ moniker: monikerOf(f.head.tree?.singles.get('request')?.value) }),
    notYet: ({ report }) => (report?.digests?.approvals ? undefined : 'finalize before every approval is merged'),
  },
  // Reshare (docs/resharing.md): the proposal is ceremony.json (maintainers, the '*' row); each
  // dealer's dealing once it is merged; each new holder's finalize once M valid dealings are.
  {
    kind: 'reshare',
    role: 'dealings',
    perMoniker: true,
    pattern: 'dealings/<moniker>.json',
    author: byFileName,
    notYet: ({ report }) => (report?.digests?.proposal ? undefined : 'a dealing before the reshare proposal is merged'),
  },
  {
    kind: 'reshare',
    role: 'finalize',
    perMoniker: true,
    pattern: 'finalize/<moniker>.json',
    author: byFileName,
    notYet: ({ report }) =>
      report?.digests?.dealings ? undefined : 'finalize before enough valid dealings are merged',
  },
];

/** The kind a ceremony's manifest declares ('dkg' without a manifest, as the audit assumes). */
export function ceremonyKind(tree: CeremonyFiles | undefined): string {
  const k = (tree?.manifest?.value as { kind?: unknown } | undefined)?.kind;
  return typeof k === 'string' ? k : 'dkg';
}

export function ruleFor(kind: string, role: string, perMoniker: boolean): FileRule | undefined {
  return FILE_RULES.find((r) => (r.kind === kind || r.kind === '*') && r.role === role && r.perMoniker === perMoniker);
}

/**
 * The GitHub login a moniker declared in a ceremony: from its verified artifacts (the audit's
 * rows), else from its own files, else from the group it belongs to.
 */
function declaredGithub(view: CeremonyView, state: RepositoryState, moniker: string): string | undefined {
  const row = view.report?.rows.find((r) => r.moniker === moniker);
  if (row?.github) return row.github;
  const tree = view.tree;
  const raws = tree ? [...[...tree.byRole.values()].map((m) => m.get(moniker)), ...tree.singles.values()] : [];
  for (const raw of raws) {
    const v = raw?.value as { moniker?: unknown; github?: unknown } | undefined;
    if (v?.moniker === moniker && typeof v.github === 'string') return v.github;
  }
  return state.group?.participants.find((p) => p.moniker === moniker)?.github;
}

function layoutHint(kind: string): string {
  const rules = FILE_RULES.filter((r) => r.kind === kind || r.kind === '*');
  return rules.length
    ? `a ${kind} ceremony holds ${rules.map((r) => r.pattern).join(', ')}`
    : `no files are defined for ceremony kind ${JSON.stringify(kind)}`;
}

/** Ceremony ids whose directory the changes touch. */
export function touchedCeremonies(changes: Change[], ceremoniesDir: string): string[] {
  const prefix = ceremoniesDir + '/';
  const ids = new Set<string>();
  for (const c of changes) {
    if (!c.path.startsWith(prefix)) continue;
    const parts = c.path.slice(prefix.length).split('/');
    if (parts.length > 1) ids.add(parts[0]);
  }
  return [...ids].sort();
}

/**
 * Every rule of docs/protocol.md §11 that is about the changes themselves: where files may go, who
 * may add them and when, append-only, no symlinks, size, no private material, public_info/.
 * Returns one error per offending file and reason.
 */
export function checkChanges(changes: Change[], ctx: ChangeContext): SssError[] {
  const errors: SssError[] = [];
  let baseView: RepositoryView | undefined;
  const k: Checking = {
    ctx,
    fail: (file, reason, code = 'not-allowed') => errors.push(new SssError(reason, { code, file })),
    isMaintainer: !!ctx.mergeQueue || ctx.maintainers.some((m) => sameLogin(m, ctx.author)),
    maintainerList: ctx.maintainers.map((m) => `@${m}`).join(', '),
    cPrefix: ctx.ceremoniesDir + '/',
    pPrefix: ctx.publicInfoDir + '/',
    onlyGeneratedFiles:
      changes.length > 0 &&
      changes.every(
        (c) =>
          c.path.startsWith(ctx.publicInfoDir + '/') &&
          (PUBLIC_FILES as readonly string[]).includes(c.path.slice(ctx.publicInfoDir.length + 1)),
      ),
    base: () => (baseView ??= ctx.base()),
  };
  for (const c of changes) checkChange(c, k);
  return errors;
}

/** What every check of one pull request shares: its context and where problems go. */
interface Checking {
  ctx: ChangeContext;
  fail: (file: string, reason: string, code?: SssErrorCode) => void;
  isMaintainer: boolean;
  maintainerList: string;
  cPrefix: string;
  pPrefix: string;
  /** The pull request changes nothing but the generated public_info/ files. */
  onlyGeneratedFiles: boolean;
  /** The base branch's view, read once and only when a rule needs it. */
  base: () => RepositoryView;
}

/** One changed file: never private material; then public_info/, repository files or the transcript. */
function checkChange(c: Change, k: Checking): void {
  const p = c.path;
  if (c.content) {
    const why = privateMaterial(c.content);
    if (why) k.fail(p, `private material: ${why}. Never commit it; treat that secret as exposed`);
  }
  if (p.startsWith(k.pPrefix)) checkPublicInfo(c, p.slice(k.pPrefix.length), k);
  else if (!p.startsWith(k.cPrefix) || !p.slice(k.cPrefix.length).includes('/')) housekeeping(c, k);
  else checkTranscriptFile(c, k);
}

/** A repository file outside ceremonies/ and public_info/: a maintainer's, never a participant's. */
function housekeeping(c: Change, k: Checking): void {
  if (!k.isMaintainer)
    k.fail(
      c.path,
      `outside the ceremony layout: a participant's pull request only adds files under ${k.cPrefix}<id>/${k.ctx.maintainers.length ? ` (repository files are for maintainers: ${k.maintainerList})` : ''}`,
    );
}

/** A file under ceremonies/<id>/: added (append-only), a plain small file, in the layout, by its author, in turn. */
function checkTranscriptFile(c: Change, k: Checking): void {
  const p = c.path;
  if (c.status === 'D') return k.fail(p, 'deletes a merged artifact: the transcript is append-only');
  if (c.status === 'M' || c.status === 'T')
    return k.fail(
      p,
      `${c.status === 'T' ? 'changes the type of' : 'changes'} a merged artifact: the transcript is append-only`,
    );
  if (c.mode === '120000') return k.fail(p, 'symbolic links are not allowed', 'io');
  if (c.mode !== '100644' && c.mode !== '100755') return k.fail(p, `not a regular file (git mode ${c.mode})`, 'io');
  if ((c.size ?? 0) > MAX_ARTIFACT_BYTES) return k.fail(p, `file is larger than ${MAX_ARTIFACT_BYTES} bytes`, 'io');
  const where = classifyPath(p, k.ctx.ceremoniesDir);
  const id = p.slice(k.cPrefix.length).split('/')[0];
  const view = k.ctx.head.ceremony(id);
  const kind = ceremonyKind(view.tree);
  const rule = where && ruleFor(kind, where.role, where.moniker !== undefined);
  if (!where || !rule) return k.fail(p, `not part of the ceremony layout: ${layoutHint(kind)}`);
  const input: FileInput = { ceremony: id, moniker: where.moniker, value: parseOrUndefined(c.content), head: view };
  checkAuthor(p, rule, input, view, k);
  if (rule.notYet) {
    const why = rule.notYet(k.base().ceremony(id));
    if (why) k.fail(p, `${why} on the base branch: wait until the earlier step is merged`, 'incomplete');
  }
}

function checkAuthor(p: string, rule: FileRule, input: FileInput, view: CeremonyView, k: Checking): void {
  // With maintainers configured, only a maintainer opens a ceremony (a join's too): a stranger's
  // join request never gets a green check that looks like an invitation.
  const who = rule.role === 'ceremony' && k.ctx.maintainers.length ? 'maintainer' : rule.author(input);
  if (k.ctx.mergeQueue) return;
  if (who === 'maintainer') {
    if (k.ctx.maintainers.length && !k.isMaintainer)
      k.fail(
        p,
        `only maintainers (${k.maintainerList}) may add a ceremony manifest, not @${k.ctx.author}${ceremonyKind(input.head.tree) === 'join' ? " (a maintainer opens the join with sss-tool join-open; the newcomer's pull request then adds only request.json)" : ''}`,
      );
    return;
  }
  const moniker = who.moniker;
  if (!moniker) {
    k.fail(p, 'cannot tell who authored this file (no moniker)', 'malformed');
    return;
  }
  const github = who.github ?? declaredGithub(view, k.ctx.head.state, moniker);
  if (!github) {
    if (!k.isMaintainer)
      k.fail(
        p,
        `${moniker} declared no GitHub login, so this pull request cannot be bound to them: initialize with --github <login>, or have a maintainer submit it`,
      );
  } else if (!sameLogin(github, k.ctx.author)) {
    k.fail(
      p,
      `submitted by @${k.ctx.author}, but the artifact's author ${moniker} declared GitHub login @${github}: each participant submits only their own artifacts`,
    );
    return;
  }
  // One artifact per participant per round: no second moniker under the same login.
  if (github && rule.perMoniker && view.tree) {
    for (const [other, raw] of view.tree.byRole.get(rule.role) ?? []) {
      if (other === moniker) continue;
      const theirs = declaredGithub(view, k.ctx.head.state, other);
      if (theirs && sameLogin(theirs, github))
        k.fail(
          p,
          `@${github} already has an artifact for ${rule.role} in this ceremony (${raw.file}, as ${other}): one artifact per participant per round`,
          'duplicate',
        );
    }
  }
}

function checkPublicInfo(c: Change, name: string, k: Checking): void {
  // A pull request of nothing but the generated files is the publish path under branch
  // protection: whoever opens it (the publish token's app, any participant), its bytes are
  // checked against the transcript below. Anything else under public_info/ is a maintainer's.
  if (k.ctx.maintainers.length && !k.isMaintainer && !k.onlyGeneratedFiles) {
    k.fail(
      c.path,
      `only maintainers (${k.maintainerList}) may change ${k.pPrefix}; it is generated from the transcript when a ceremony completes`,
    );
    return;
  }
  if (!(PUBLIC_FILES as readonly string[]).includes(name)) {
    housekeeping(c, k);
    return;
  }
  const group = k.ctx.head.state.group;
  if (!group) {
    k.fail(
      c.path,
      `no complete ceremony yields ${k.pPrefix} yet: it is generated from the transcript, never written by hand`,
      'incomplete',
    );
    return;
  }
  const want = publicInfoFiles(group)[name as (typeof PUBLIC_FILES)[number]];
  if (c.status === 'D') k.fail(c.path, 'deletes a generated public file');
  else if (c.mode !== '100644' && c.mode !== '100755') k.fail(c.path, `not a regular file (git mode ${c.mode})`);
  else if (!c.content || Buffer.from(c.content).toString('utf8') !== want)
    k.fail(
      c.path,
      'differs from what the transcript yields: public_info/ is generated (sss-tool publish, or the Action after the merge)',
    );
}

function parseOrUndefined(bytes: Uint8Array | undefined): unknown {
  if (!bytes) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** An audit problem, and whether its file is one the pull request changed. */
export interface AttributedProblem {
  error: SssError;
  /** True when the file was merged before this pull request (or the problem names no file). */
  merged: boolean;
}

/**
 * The audit's problems in the ceremonies a pull request touches (and the repository's own), each
 * attributed: to a file the pull request changed, or to one merged before it.
 */
export function auditProblems(state: RepositoryState, ceremonies: string[], changed: Set<string>): AttributedProblem[] {
  const out: AttributedProblem[] = [];
  for (const id of ceremonies)
    for (const error of state.reports.get(id)?.errors ?? [])
      out.push({ error, merged: !error.file || !changed.has(error.file) });
  for (const error of state.errors) out.push({ error, merged: !error.file || !changed.has(error.file) });
  return out;
}
