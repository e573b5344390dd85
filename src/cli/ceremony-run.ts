/** status, verify and publish: read-only views of the repository, and public_info/ from it (options: src/cli/ceremony.ts). */
import { join } from 'node:path';
import { SssError } from '../errors.js';
import { auditOne, auditRepository } from '../ceremony/repository.js';
import { PUBLIC_FILES, publicInfoFiles, stalePublicFiles } from '../ceremony/publish.js';
import { renderText, reportJson } from '../ceremony/render.js';
import { ceremonyStatus, nextStepText } from '../ceremony/next-steps.js';
import { statusText } from '../ceremony/status-render.js';
import { replaceFile } from '../local/fsutil.js';
import { Context, SubmitOptions } from './context.js';
import { shown } from './paths.js';
import { warmCeremonies } from '../ceremony/warm.js';

export async function statusCommand(ctx: Context, opts: { ceremony?: string }): Promise<void> {
  await warmCeremonies(ctx.ceremoniesDir);
  const state = auditRepository(ctx.ceremoniesDir, ctx.repo);
  const reports = opts.ceremony
    ? [auditOne(ctx.ceremoniesDir, ctx.repo, opts.ceremony).report]
    : [...state.reports.values()];
  // No pull requests here (no API call): "not merged" stands for "not submitted or not merged yet".
  const where = (await import('../github/local-git.js')).localWhere(ctx.repo);
  const statuses = reports.map((r) => ceremonyStatus(r, [], where));
  ctx.result({
    ceremonies: statuses.map((st) => ({
      ...reportJson(st.report),
      next: nextStepText(st),
      commands: st.awaited.find((p) => p.commands)?.commands ?? st.unnamedCommands,
    })),
    publicKey: state.group?.publicKey,
  });
  if (!reports.length) ctx.say(`No ceremonies under ${shown(ctx.repo, ctx.ceremoniesDir)} yet.`);
  for (const st of statuses) ctx.say(statusText(st) + '\n');
  for (const e of state.errors) ctx.say(`problem: ${e.message}`);
}

export async function verifyCommand(
  ctx: Context,
  opts: { ceremony: string; requireComplete?: boolean; github?: boolean },
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
  if (opts.github) ctx.say(await (await import('./verify-github.js')).verifyGithubBinding(ctx, report.ceremony));
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

export async function publishCommand(
  ctx: Context,
  opts: { ceremony: string; check?: boolean } & SubmitOptions,
): Promise<void> {
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
  const paths = PUBLIC_FILES.map((f) => join(ctx.publicInfoDir, f));
  ctx.say(
    stale.length
      ? `Wrote ${stale.map((f) => shown(ctx.repo, join(ctx.publicInfoDir, f))).join(', ')}`
      : 'public_info/ is already up to date.',
  );
  ctx.say(`Group public key: ${group.publicKey}`);
  ctx.say(`Participants: ${group.participants.length}, threshold ${group.threshold}`);
  // --submit: open the publish pull request (anyone may; the check compares every byte).
  const submission = opts.submit
    ? await (
        await import('./publish-submit.js')
      ).submitPublicInfo(ctx, opts, {
        files: paths,
        ceremonies: group.ceremonies.map((c) => c.id),
        publicKey: group.publicKey,
      })
    : {};
  ctx.result({
    publicKey: group.publicKey,
    changed: stale,
    files: paths.map((f) => shown(ctx.repo, f)),
    ...submission,
  });
}
