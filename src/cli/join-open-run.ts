/**
 * What `sss-tool join-open` does (options: src/cli/join-open.ts): a maintainer opens a join
 * ceremony by writing its manifest, so that the newcomer's own pull request adds only
 * `request.json`. With maintainers configured, the Action
 * accepts a join's manifest only from a maintainer: a stranger's green check never opens a join.
 * The manifest is what the newcomer's `join-request` would write (every field is fixed by the group
 * state) plus the account it is for (`newcomerGithub`), so `join-request --ceremony <id>` run from
 * that account finds it identical and adds its request; a request from any other account fails.
 */
import { join } from 'node:path';
import { toFileText } from '../artifacts/canonical.js';
import { githubLogin, parseWith } from '../artifacts/schemas.js';
import { CEREMONY_ID } from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { joinManifest } from '../ceremony/join-steps.js';
import { auditRepository } from '../ceremony/repository.js';
import { writeArtifactFile } from '../local/fsutil.js';
import { Context } from './context.js';
import { shown } from './paths.js';

/** Writes the join ceremony's manifest for the group the repository's transcript yields. */
export async function joinOpenCommand(ctx: Context, opts: { ceremony: string; github: string }): Promise<void> {
  if (!CEREMONY_ID.test(opts.ceremony))
    throw new SssError('expected lowercase letters, digits, . _ or -, at most 63', {
      code: 'usage',
      field: '--ceremony',
    });
  const newcomer = parseWith(githubLogin, opts.github.replace(/^@/, ''), '--github');
  const state = auditRepository(ctx.ceremoniesDir, ctx.repo);
  if (state.errors.length) throw state.errors[0];
  if (!state.group)
    throw new SssError(
      `no complete group in ${shown(ctx.repo, ctx.ceremoniesDir)}: a join extends a complete genesis`,
      { code: 'incomplete', field: '--repo' },
    );
  if (state.reports.has(opts.ceremony))
    throw new SssError(`ceremony ${opts.ceremony} already exists`, { code: 'duplicate', field: '--ceremony' });
  const path = join(ctx.ceremoniesDir, opts.ceremony, 'ceremony.json');
  const manifest = joinManifest(opts.ceremony, state.group, newcomer);
  writeArtifactFile(path, toFileText(manifest));
  ctx.result({ ceremony: opts.ceremony, file: shown(ctx.repo, path), extends: manifest.extends, newcomer });
  ctx.say(
    `Wrote ${shown(ctx.repo, path)}: a join of the ${state.group.threshold}-of-${state.group.participants.length} group after ${manifest.extends}, for @${newcomer} only.`,
  );
  ctx.say(
    `Merge it through a pull request of your own; then @${newcomer} runs: sss-tool join-request --ceremony ${opts.ceremony} --approvers <monikers> --submit`,
  );
}
