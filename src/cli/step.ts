/**
 * What the ceremony steps' commands (dkg-*, join's and reshare's) share around their protocol step:
 * stopping on an audit's first error, and telling the person what the step did and what comes next.
 */
import { SssError } from '../errors.js';
import { Context } from './context.js';
import { shown } from './paths.js';
import { nextSteps, StepFiles, SubmitOptions } from './submit.js';

/**
 * Stops on the audit's first error: a step runs only on a transcript `verify` accepts, and the
 * person is pointed at `verify` for the rest.
 */
export function failOn(audit: { ceremony: string; errors: SssError[] }): void {
  if (!audit.errors.length) return;
  const more =
    audit.errors.length > 1
      ? ` (and ${audit.errors.length - 1} more: run sss-tool verify --ceremony ${audit.ceremony})`
      : '';
  throw new SssError(audit.errors[0].message + more, { code: audit.errors[0].code });
}

/** What a step tells the person once its files are written. */
export interface StepReport {
  /** The result's fields after ceremony, step, moniker and files (the result is printed with --json). */
  fields: Record<string, unknown>;
  /** What the step did, then its details: one human line each. */
  said: string[];
  /** What to run once the step's files are merged, after the ways to submit them. */
  then?: string;
}

/** Prints what the step did, how its files reach the repository, and what comes after. */
export async function reportStep(ctx: Context, opts: SubmitOptions, step: StepFiles, r: StepReport): Promise<void> {
  const { ceremony, step: name, moniker } = step;
  ctx.result({ ceremony, step: name, moniker, files: step.files.map((f) => shown(ctx.repo, f)), ...r.fields });
  for (const line of r.said) ctx.say(line);
  await nextSteps(ctx, opts, step);
  if (r.then) ctx.say(r.then);
}

/**
 * Runs a step on a share file's signing share: an error about the share names the file it came
 * from, since the step itself only saw the scalar.
 */
export async function withShareFile<T>(sharePath: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw (e as SssError).field === 'signingShare'
      ? new SssError((e as SssError).reason, { code: (e as SssError).code, file: sharePath, field: 'signingShare' })
      : e;
  }
}
