/**
 * One error type for everything a person can act on: it names the file and the field that were
 * wrong and, where a participant misbehaved, that participant (the culprit).
 */
export class SssError extends Error {
  readonly file?: string;
  readonly field?: string;
  readonly culprit?: string;
  readonly reason: string;

  constructor(reason: string, where: { file?: string; field?: string; culprit?: string } = {}) {
    super(formatError(reason, where));
    this.name = 'SssError';
    this.reason = reason;
    this.file = where.file;
    this.field = where.field;
    this.culprit = where.culprit;
  }

  /** The same error, located in a file (and field) if it was not located yet. */
  at(file?: string, field?: string): SssError {
    if (this.file || !file) return this;
    return new SssError(this.reason, { file, field: this.field ?? field, culprit: this.culprit });
  }
}

function formatError(reason: string, w: { file?: string; field?: string; culprit?: string }): string {
  const where = [w.file, w.field].filter(Boolean).join(': ');
  const culprit = w.culprit ? ` (culprit: ${w.culprit})` : '';
  return (where ? `${where}: ` : '') + reason + culprit;
}

/** Wraps any thrown value as an SssError located at file/field. */
export function located(e: unknown, file?: string, field?: string): SssError {
  if (e instanceof SssError) return e.at(file, field);
  const msg = e instanceof Error ? e.message : String(e);
  return new SssError(msg, { file, field });
}

/** A list of names for a one-line message: the first few, then how many in all. */
export function names(list: readonly string[], max = 12): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')}, … (${list.length} in all)`;
}
