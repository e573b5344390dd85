/**
 * Join (enrollment) ceremonies. Placeholder until enrollment lands (issue 4): a join ceremony is
 * reported as unsupported, and nothing is added to the group.
 */
import { SssError } from '../errors.js';
import { GroupPackage, Report } from './report.js';
import { CeremonyFiles } from './tree.js';

/** The ceremony id a join extends (the last ceremony of the group state it starts from). */
export function joinExtends(files: CeremonyFiles): string | undefined {
  const v = files.manifest?.value as { extends?: unknown } | undefined;
  return typeof v?.extends === 'string' ? v.extends : undefined;
}

export function auditJoin(files: CeremonyFiles, _group: GroupPackage | undefined): Report {
  return {
    ceremony: files.id,
    kind: 'join',
    phase: 'invalid',
    steps: [],
    rows: [],
    awaiting: 'support for join ceremonies',
    errors: [new SssError('join ceremonies are not supported by this version', { file: files.manifest?.file })],
  };
}
