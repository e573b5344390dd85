/**
 * status (options: src/cli/ceremony.ts). A repository without any ceremony yet, where people
 * start, needs no audit: that answer comes without loading the audit, zod or noble. Everything
 * else is the round table of src/cli/ceremony-run.ts.
 */
import { readdirSync } from 'node:fs';
import { Context } from './context.js';
import { shown } from './paths.js';

export async function statusCommand(ctx: Context, opts: { ceremony?: string }): Promise<void> {
  if (!opts.ceremony && !holdsDirectory(ctx.ceremoniesDir)) {
    // What the audit of no ceremonies reports: no ceremony, no group key, no problem.
    ctx.result({ ceremonies: [] });
    ctx.say(`No ceremonies under ${shown(ctx.repo, ctx.ceremoniesDir)} yet.`);
    return;
  }
  await (await import('./ceremony-run.js')).statusCommand(ctx, opts);
}

/**
 * Whether `dir` may hold a ceremony: it has a subdirectory, or cannot be listed (the audit then
 * reports why). A missing folder holds none.
 */
function holdsDirectory(dir: string): boolean {
  try {
    return readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory());
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
