/**
 * A ceremony repository as a whole: every ceremony audited, and the group's state: the genesis
 * DKG, then each completed join that extends it, in order. `public_info/` is generated from it.
 */
import { join } from 'node:path';
import { shown } from '../artifacts/schemas.js';
import { SssError } from '../errors.js';
import { auditDkg } from './dkg.js';
import { auditJoin, joinExtends } from './join.js';
import { GroupPackage, Report, invalidReport } from './report.js';
import { CeremonyFiles, listCeremonies, readCeremony } from './tree.js';

export interface RepositoryState {
  reports: Map<string, Report>;
  /** The group after the genesis and every completed join, if the genesis is complete. */
  group?: GroupPackage;
  /** Problems of the repository as a whole (e.g. two completed genesis ceremonies). */
  errors: SssError[];
}

function kindOf(files: CeremonyFiles): unknown {
  const v = files.manifest?.value;
  return v && typeof v === 'object' ? (v as { kind?: unknown }).kind : undefined;
}

/** Audits every ceremony under `ceremoniesDir` and derives the group's state. */
export function auditRepository(ceremoniesDir: string, root: string): RepositoryState {
  const state: RepositoryState = { reports: new Map(), errors: [] };
  const trees = listCeremonies(ceremoniesDir).map((id) => readCeremony(join(ceremoniesDir, id), root));
  const joins: CeremonyFiles[] = [];
  const genesis: Report[] = [];
  for (const t of trees) {
    const kind = kindOf(t);
    if (kind === 'join') joins.push(t);
    else if (kind === 'dkg' || !t.manifest) {
      const r = auditDkg(t);
      state.reports.set(t.id, r);
      if (r.phase === 'complete') genesis.push(r);
    } else {
      state.reports.set(
        t.id,
        invalidReport(t.id, [
          new SssError(`unknown ceremony kind ${shown(kind)}`, {
            code: 'malformed',
            file: t.manifest.file,
            field: 'kind',
          }),
        ]),
      );
    }
  }
  if (genesis.length > 1)
    state.errors.push(
      new SssError(
        `more than one completed genesis ceremony (${genesis.map((g) => g.ceremony).join(', ')}): a repository holds one group`,
        { code: 'duplicate' },
      ),
    );
  let group = genesis.length === 1 ? genesis[0].group : undefined;
  const chained = chainJoins(group, joins, auditJoin);
  for (const [id, r] of chained.reports) state.reports.set(id, r);
  state.errors.push(...chained.errors);
  group = chained.group;
  state.group = group;
  return state;
}

/**
 * Applies joins in chain order: each extends the state the previous one left. Several joins may
 * start from one state; the one that completed extends the group, and the others are then stale
 * (their audit against the grown group says so). Two completed joins on one state are a conflict:
 * neither is applied, and publishing stops until a maintainer resolves it.
 */
export function chainJoins(
  start: GroupPackage | undefined,
  joins: CeremonyFiles[],
  audit: (j: CeremonyFiles, group: GroupPackage | undefined) => Report,
): { group: GroupPackage | undefined; reports: Map<string, Report>; errors: SssError[] } {
  const reports = new Map<string, Report>();
  const errors: SssError[] = [];
  let group = start;
  const pending = new Map(joins.map((j) => [j.id, j]));
  while (group && pending.size) {
    const last = group.ceremonies[group.ceremonies.length - 1].id;
    const candidates = [...pending.values()].filter((j) => joinExtends(j) === last);
    if (!candidates.length) break;
    const audited = candidates.map((j) => ({ j, r: audit(j, group) }));
    const complete = audited.filter(({ r }) => r.phase === 'complete' && r.group);
    if (complete.length !== 1) {
      if (complete.length > 1)
        errors.push(
          new SssError(
            `joins ${complete.map(({ j }) => j.id).join(' and ')} both extend the group state after ${last} and are both complete: only one of them can be part of the group`,
            { code: 'duplicate' },
          ),
        );
      for (const { j, r } of audited) {
        reports.set(j.id, r);
        pending.delete(j.id);
      }
      break;
    }
    const { j, r } = complete[0];
    reports.set(j.id, r);
    pending.delete(j.id);
    group = r.group;
  }
  for (const j of pending.values()) reports.set(j.id, audit(j, group));
  return { group, reports, errors };
}

/** Audits one ceremony in the context of its repository (joins need the group before them). */
export function auditOne(ceremoniesDir: string, root: string, id: string): { report: Report; state: RepositoryState } {
  const state = auditRepository(ceremoniesDir, root);
  const report = state.reports.get(id);
  if (!report) throw new SssError(`no ceremony ${id} under ${ceremoniesDir}`, { code: 'usage', field: '--ceremony' });
  return { report, state };
}
