/**
 * Who a ceremony waits for, and the exact commands each of them runs next: the part of a
 * ceremony's status that tells people what to do. Pure: the report comes from the audit, the open
 * pull requests from the caller (the Action asks the API; the CLI has none), and where the
 * commands run (the upstream repository, its default branch) from the caller too.
 */
import { sameLogin } from './accounts.js';
import { Report, Row, StepState } from './report.js';

/** An open pull request of a ceremony step, recognised by its `--submit` branch name. */
export interface OpenPull {
  number: number;
  url: string;
  /** The login that opened it. */
  author?: string;
  ceremony: string;
  step: string;
  moniker: string;
}

/** Where the commands run: the participant's checkout of the ceremony repository. */
export interface Where {
  /** Repository-relative, e.g. `ceremonies`. */
  ceremoniesDir: string;
  defaultBranch: string;
  /** What `git pull` pulls from: a remote's name, or the upstream repository's URL. */
  upstream: string;
}

/**
 * A participant's standing in the step the ceremony is at: merged, a pull request open and not
 * merged yet, nothing submitted, a merged file that is invalid, or not theirs to do.
 */
export type Standing = 'done' | 'pull-request' | 'not-submitted' | 'invalid' | 'no-step';

export interface ParticipantStatus {
  moniker: string;
  github?: string;
  steps: Record<string, StepState>;
  standing: Standing;
  pull?: OpenPull;
  /** What they run next; absent when nothing is theirs to run. */
  commands?: string[];
}

export interface CeremonyStatus {
  report: Report;
  /** The column of the round table the ceremony is at; undefined when complete. */
  step?: string;
  rows: ParticipantStatus[];
  /** The rows the step waits for (not merged yet), in table order. */
  awaited: ParticipantStatus[];
  /** Participants not known by name yet (round 1 of a DKG without an allow list). */
  unnamed: number;
  /** What anyone of the unnamed runs. */
  unnamedCommands?: string[];
  /** The command of the current step (what every awaited participant runs after syncing). */
  command?: string;
  /** Changes exactly when a new step opens (or the ceremony completes or breaks). */
  round: string;
}

const STEP_LABEL: Record<string, string> = {
  round1: 'round 1',
  round2: 'round 2',
  finalize: 'finalize',
  request: 'the join request',
  approval: 'approvals',
  dealing: 'dealing',
};

export function stepLabel(step: string): string {
  return STEP_LABEL[step] ?? step;
}

/** `ceremony/<id>/<step>/<moniker>`, the branch `--submit` pushes; undefined for any other. */
export function parseStepBranch(ref: string): { ceremony: string; step: string; moniker: string } | undefined {
  const m =
    /^ceremony\/([a-z0-9][a-z0-9._-]{0,62})\/(round1|round2|finalize|request|approval|dealing)\/([a-z0-9][a-z0-9_-]{0,62})$/.exec(
      ref,
    );
  return m ? { ceremony: m[1], step: m[2], moniker: m[3] } : undefined;
}

/** The phases that are a step of the round table. */
const PHASE_STEP: Record<string, string> = {
  round1: 'round1',
  round2: 'round2',
  finalize: 'finalize',
  request: 'request',
  approvals: 'approval',
  dealing: 'dealing',
};

/**
 * Where the ceremony is: the step its phase names (in round 1 every known row may be done while
 * more participants are due), else the first step some row has not done (an invalid ceremony).
 */
function currentStep(r: Report): string | undefined {
  if (r.phase === 'complete') return undefined;
  const named = PHASE_STEP[r.phase];
  if (named && r.steps.includes(named)) return named;
  return r.steps.find((s) => r.rows.some((row) => row.steps[s] === 'awaited' || row.steps[s] === 'invalid'));
}

/** The commands that bring the checkout up to date: on the default branch, fast-forward only. */
export function syncCommands(w: Where): string[] {
  return [`git switch ${w.defaultBranch}`, `git pull --ff-only ${w.upstream} ${w.defaultBranch}`];
}

/** The command that performs `step` of the ceremony, with `--submit`. */
export function stepCommand(r: Report, step: string, w: Where): string | undefined {
  const dir = `${w.ceremoniesDir}/${r.ceremony}`;
  if (r.kind === 'dkg') {
    if (step === 'round1')
      return `sss-tool dkg-round1 --threshold ${r.threshold} --participants ${r.participants} --ceremony ${r.ceremony} --submit`;
    if (step === 'round2') return `sss-tool dkg-round2 --commitments ${dir}/round1 --submit`;
    if (step === 'finalize') return `sss-tool dkg-finalize --shares ${dir}/round2 --submit`;
  }
  if (r.kind === 'join') {
    if (step === 'approval') return `sss-tool approve-participant --request ${dir}/request.json --submit`;
    if (step === 'finalize') return `sss-tool finalize-join --approvals ${dir}/approvals --submit`;
  }
  if (r.kind === 'reshare') {
    if (step === 'dealing') return `sss-tool reshare-deal --ceremony ${r.ceremony} --submit`;
    if (step === 'finalize') return `sss-tool reshare-finalize --ceremony ${r.ceremony} --submit`;
  }
  return undefined;
}

function standingOf(row: Row, step: string | undefined, pull: OpenPull | undefined): Standing {
  const s = step ? row.steps[step] : undefined;
  if (s === 'done') return 'done';
  if (s === 'invalid') return 'invalid';
  if (s === 'awaited') return pull ? 'pull-request' : 'not-submitted';
  return 'no-step';
}

/**
 * The status of one ceremony: each participant's standing in the current step, their open pull
 * request, and the commands each awaited one runs next. Open pull requests of people the audit
 * does not know yet (round 1) become rows of their own.
 */
export function ceremonyStatus(r: Report, pulls: OpenPull[], w: Where): CeremonyStatus {
  const step = currentStep(r);
  const mine = pulls.filter((p) => p.ceremony === r.ceremony && p.step === step);
  const rows: Row[] = [...r.rows];
  for (const p of mine)
    if (!rows.some((row) => row.moniker === p.moniker))
      rows.push({
        moniker: p.moniker,
        github: p.author,
        steps: Object.fromEntries(r.steps.map((s) => [s, s === step ? 'awaited' : '-'])),
      });
  const command = step ? stepCommand(r, step, w) : undefined;
  const commands = command ? [...syncCommands(w), command] : undefined;
  const out = rows.map((row): ParticipantStatus => {
    // A pull request counts for a participant only when its author is the participant's login.
    const pull = mine.find(
      (p) => p.moniker === row.moniker && (!row.github || !p.author || sameLogin(p.author, row.github)),
    );
    const standing = standingOf(row, step, pull);
    return {
      moniker: row.moniker,
      github: row.github ?? pull?.author,
      steps: row.steps,
      standing,
      pull,
      commands: standing === 'not-submitted' || standing === 'invalid' ? commands : undefined,
    };
  });
  const unnamed =
    r.kind === 'dkg' && step === 'round1' && r.participants ? Math.max(0, r.participants - out.length) : 0;
  return {
    report: r,
    step,
    rows: out,
    awaited: out.filter((p) => p.standing !== 'done' && p.standing !== 'no-step'),
    unnamed,
    unnamedCommands: unnamed ? commands : undefined,
    command,
    round: `${r.phase}${step ? `:${step}` : ''}`,
  };
}

/** Who the current step waits for, by moniker (and how many are not known by name yet). */
export function awaitedNames(s: CeremonyStatus): string[] {
  const who = s.awaited.map((p) => p.moniker);
  if (s.unnamed) who.push(`${s.unnamed} more participant${s.unnamed === 1 ? '' : 's'}`);
  return who;
}

/** One line a person can act on: what the ceremony waits for, from whom, and the command. */
export function nextStepText(s: CeremonyStatus): string {
  const r = s.report;
  if (r.phase === 'complete') return 'nothing: the ceremony is complete';
  if (!s.step) return r.awaiting;
  const line = `${stepLabel(s.step)} from ${awaitedNames(s).join(', ') || 'nobody'}`;
  return s.command ? `${line}; each of them runs: ${s.command}` : line;
}
