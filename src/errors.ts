/**
 * One error type for everything a person can act on: it names the file and the field that were
 * wrong and, where participants misbehaved, those participants (the culprits). Library callers
 * match on `code` (stable, listed in docs/errors.md), never on the message text.
 */

/** What went wrong, in the few kinds a caller can act on differently (docs/errors.md). */
export type SssErrorCode =
  /** A command-line option, an Action input or an argument is missing, malformed or contradictory. */
  | 'usage'
  /** A file cannot be read or written as asked: missing, too large, a link, outside the repository, already there. */
  | 'io'
  /** A file or value does not parse: JSON, schema, encoding, a point or scalar that is not canonical or valid. */
  | 'malformed'
  /** An artifact's signature, a signature share or a signature does not verify. */
  | 'signature'
  /** Well formed, but disagrees with what it must match: a digest, a session, a group key, a ceremony, an identifier. */
  | 'mismatch'
  /** A cryptographic consistency check failed: a share, fragment or verifying share does not match its commitment. */
  | 'inconsistent'
  /** The author may not do this: not a participant, not an approver, not on the allow-list, the wrong pull request. */
  | 'not-allowed'
  /** The same participant, key, share or artifact appears twice. */
  | 'duplicate'
  /** A step is not complete yet: artifacts, shares or approvals are still awaited, or a step came too early. */
  | 'incomplete'
  /** Local private state: a wrong passphrase, a missing identity or share, nonces already used or not made here. */
  | 'private'
  /** git or GitHub did not do what was asked. */
  | 'git'
  /** Anything else (the default). */
  | 'invalid';

/** Where an error is: the file, the field in it, and the participants to blame. */
export interface Where {
  file?: string;
  field?: string;
  culprits?: readonly string[];
  /** One culprit, or several joined by ", " (the older spelling; `culprits` is the list). */
  culprit?: string;
}

/** The culprits `where` names, as a list (`culprit` is the older one-line spelling). */
function culpritsOf(where: Where): readonly string[] {
  return where.culprits ?? (where.culprit ? where.culprit.split(', ') : []);
}

export class SssError extends Error {
  readonly code: SssErrorCode;
  readonly reason: string;
  readonly file?: string;
  readonly field?: string;
  readonly culprits: readonly string[];

  /** `code` is required, so that no new refusal goes out without a kind a caller can match on. */
  constructor(reason: string, opts: Where & { code: SssErrorCode }) {
    const culprits = culpritsOf(opts);
    super(formatError(reason, opts.file, opts.field, culprits));
    this.name = 'SssError';
    this.code = opts.code;
    this.reason = reason;
    this.file = opts.file;
    this.field = opts.field;
    this.culprits = culprits;
  }

  /** The culprits as one line ("alice, bob"), or undefined: what messages and reports print. */
  get culprit(): string | undefined {
    return this.culprits.length ? this.culprits.join(', ') : undefined;
  }
}

function formatError(
  reason: string,
  file: string | undefined,
  field: string | undefined,
  culprits: readonly string[],
): string {
  const where = [file, field].filter(Boolean).join(': ');
  const culprit = culprits.length ? ` (culprit: ${culprits.join(', ')})` : '';
  return (where ? `${where}: ` : '') + reason + culprit;
}

/**
 * The one way to place an error: what it does not name yet (file, field, culprits) is taken from
 * `where`; what it names already stays. Anything that is not an SssError becomes one (code
 * `invalid`, its message as the reason).
 */
export function located(e: unknown, where: Where): SssError {
  if (!(e instanceof SssError))
    return new SssError(e instanceof Error ? e.message : String(e), { ...where, code: 'invalid' });
  const culprits = e.culprits.length ? e.culprits : culpritsOf(where);
  if ((e.file || !where.file) && (e.field || !where.field) && culprits === e.culprits) return e;
  return new SssError(e.reason, { code: e.code, file: e.file ?? where.file, field: e.field ?? where.field, culprits });
}

/** Runs f; whatever it throws is located at `where` (see located). */
export function locatedIn<T>(where: Where, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw located(e, where);
  }
}

/** A list of names for a one-line message: the first few, then how many in all. */
export function names(list: readonly string[], max = 12): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')}, … (${list.length} in all)`;
}
