/** status, verify and publish: read-only views of the repository, and public_info/ from it (options: src/cli/ceremony.ts). */
import { join } from 'node:path';
import { SssError } from '../errors.js';
import { auditOne, auditRepository } from '../ceremony/repository.js';
import { PUBLIC_FILES, publicInfoFiles, stalePublicFiles } from '../ceremony/publish.js';
import { renderText, reportJson } from '../ceremony/render.js';
import { replaceFile } from '../local/fsutil.js';
import { Context } from './context.js';
import { shown } from './paths.js';
import { warmCeremonies } from '../ceremony/warm.js';

export async function statusCommand(ctx: Context, opts: { ceremony?: string }): Promise<void> {
  await warmCeremonies(ctx.ceremoniesDir);
  const state = auditRepository(ctx.ceremoniesDir, ctx.repo);
  const reports = opts.ceremony
    ? [auditOne(ctx.ceremoniesDir, ctx.repo, opts.ceremony).report]
    : [...state.reports.values()];
  ctx.result({ ceremonies: reports.map(reportJson), publicKey: state.group?.publicKey });
  if (!reports.length) ctx.say(`No ceremonies under ${shown(ctx.repo, ctx.ceremoniesDir)} yet.`);
  for (const r of reports) ctx.say(renderText(r) + '\n');
  for (const e of state.errors) ctx.say(`problem: ${e.message}`);
}

export async function verifyCommand(
  ctx: Context,
  opts: { ceremony: string; requireComplete?: boolean },
): Promise<void> {
  await warmCeremonies(ctx.ceremoniesDir);
  const { report } = auditOne(ctx.ceremoniesDir, ctx.repo, opts.ceremony);
  ctx.result({ valid: report.errors.length === 0, ...reportJson(report) });
  ctx.say(renderText(report));
  if (report.errors.length)
    throw new SssError(
      `ceremony ${report.ceremony} is invalid: ${report.errors[0].message}${report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : ''}`,
      { code: report.errors[0].code },
    );
  if (opts.requireComplete && report.phase !== 'complete')
    throw new SssError(`ceremony ${report.ceremony} is not complete: awaiting ${report.awaiting}`, {
      code: 'incomplete',
    });
  ctx.say(
    report.phase === 'complete'
      ? `Valid and complete. Group public key: ${report.group!.publicKey}`
      : `Valid so far; phase ${report.phase}.`,
  );
}

export async function publishCommand(ctx: Context, opts: { ceremony: string; check?: boolean }): Promise<void> {
  await warmCeremonies(ctx.ceremoniesDir);
  const { report, state } = auditOne(ctx.ceremoniesDir, ctx.repo, opts.ceremony);
  if (report.errors.length)
    throw new SssError(`ceremony ${report.ceremony} is invalid: ${report.errors[0].message}`, {
      code: report.errors[0].code,
    });
  if (report.phase !== 'complete')
    throw new SssError(`ceremony ${report.ceremony} is not complete: awaiting ${report.awaiting}`, {
      code: 'incomplete',
    });
  if (state.errors.length) throw state.errors[0];
  const group = state.group;
  if (!group || !group.ceremonies.some((c) => c.id === report.ceremony))
    throw new SssError(`ceremony ${report.ceremony} is complete but not part of the repository's group chain`, {
      code: 'mismatch',
    });
  const stale = stalePublicFiles(ctx.publicInfoDir, group);
  if (opts.check) {
    ctx.result({ upToDate: stale.length === 0, stale });
    if (stale.length)
      throw new SssError(`public_info differs from the transcript: ${stale.join(', ')}`, {
        code: 'mismatch',
        file: shown(ctx.repo, ctx.publicInfoDir),
      });
    ctx.say('public_info/ matches the transcript.');
    return;
  }
  const files = publicInfoFiles(group);
  for (const f of stale) replaceFile(join(ctx.publicInfoDir, f), files[f]);
  ctx.result({
    publicKey: group.publicKey,
    changed: stale,
    files: PUBLIC_FILES.map((f) => shown(ctx.repo, join(ctx.publicInfoDir, f))),
  });
  ctx.say(
    stale.length
      ? `Wrote ${stale.map((f) => shown(ctx.repo, join(ctx.publicInfoDir, f))).join(', ')}`
      : 'public_info/ is already up to date.',
  );
  ctx.say(`Group public key: ${group.publicKey}`);
  ctx.say(`Participants: ${group.participants.length}, threshold ${group.threshold}`);
}
