/** status, verify and publish: read-only views of the repository, and public_info/ from it. */
import { join } from 'node:path';
import { Command } from 'commander';
import { SssError } from '../errors.js';
import { auditOne, auditRepository } from '../ceremony/repository.js';
import { PUBLIC_FILES, publicInfoFiles, stalePublicFiles } from '../ceremony/publish.js';
import { renderText, reportJson } from '../ceremony/render.js';
import { replaceFile } from '../local/fsutil.js';
import { makeContext, withGlobals } from './context.js';
import { shown } from './paths.js';
import { warmCeremonies } from '../ceremony/warm.js';

export function register(p: Command): void {
  withGlobals(
    p
      .command('status')
      .description('the round table: who has done what, and what is awaited from whom')
      .option('--ceremony <id>', 'one ceremony (default: all)'),
  ).action(async (opts) => {
    const ctx = makeContext(opts);
    await warmCeremonies(ctx.ceremoniesDir);
    const state = auditRepository(ctx.ceremoniesDir, ctx.repo);
    const reports = opts.ceremony
      ? [auditOne(ctx.ceremoniesDir, ctx.repo, opts.ceremony).report]
      : [...state.reports.values()];
    ctx.result({ ceremonies: reports.map(reportJson), publicKey: state.group?.publicKey });
    if (!reports.length) ctx.say(`No ceremonies under ${shown(ctx.repo, ctx.ceremoniesDir)} yet.`);
    for (const r of reports) ctx.say(renderText(r) + '\n');
    for (const e of state.errors) ctx.say(`problem: ${e.message}`);
  });

  withGlobals(
    p
      .command('verify')
      .description('the full public audit of a ceremony: exit 0 only when its transcript is valid')
      .requiredOption('--ceremony <id>', 'the ceremony to audit')
      .option('--require-complete', 'also fail unless the ceremony is complete'),
  ).action(async (opts) => {
    const ctx = makeContext(opts);
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
  });

  withGlobals(
    p
      .command('publish')
      .description('write public_info/ (public_key.txt, peers_list.txt, group.json) from a complete, verified ceremony')
      .requiredOption('--ceremony <id>', 'a complete ceremony of the group')
      .option('--check', 'write nothing; fail if public_info/ differs from the transcript'),
  ).action(async (opts) => {
    const ctx = makeContext(opts);
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
  });
}
