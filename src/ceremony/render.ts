/** The round table, as terminal text (CLI) and as Markdown (the Action's summary and comment). */
import { mdCode, mdText, userLink } from './markdown.js';
import { Report } from './report.js';

const MARK: Record<string, string> = { done: '✅ done', awaited: '⏳ awaited', invalid: '❌ invalid', '-': '·' };

function title(r: Report): string {
  const shape =
    r.threshold && r.participants
      ? `, ${r.threshold}-of-${r.participants}`
      : r.threshold
        ? `, threshold ${r.threshold}`
        : '';
  return `${r.ceremony} (${r.kind}${shape}): ${r.phase}`;
}

/** A plain-text table for a terminal: columns padded to their widest cell, indented two spaces. */
export function textTable(head: string[], body: string[][]): string[] {
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[]) =>
    '  ' +
    cells
      .map((c, i) => c.padEnd(width[i]))
      .join('  ')
      .trimEnd();
  return [fmt(head), ...body.map(fmt)];
}

/** Plain text for a terminal. */
export function renderText(r: Report): string {
  const lines = [`Ceremony ${title(r)}`];
  if (r.rows.length) {
    const head = ['participant', ...r.steps];
    const body = r.rows.map((row) => [row.moniker, ...r.steps.map((s) => row.steps[s] ?? '-')]);
    lines.push(...textTable(head, body));
  }
  if (r.group) lines.push(`  group public key: ${r.group.publicKey}`);
  lines.push(`  awaiting: ${r.awaiting}`);
  for (const e of r.errors) lines.push(`  problem: ${e.message}`);
  return lines.join('\n');
}

/** Every string here comes from the repository's files: escaped (see markdown.ts). */
const esc = mdText;

/** Markdown for a job summary or a PR comment. */
export function renderMarkdown(r: Report): string {
  const lines = [
    `### Ceremony ${mdCode(r.ceremony)} (${esc(r.kind)}${r.threshold && r.participants ? `, ${r.threshold}-of-${r.participants}` : ''}): **${esc(r.phase)}**`,
    '',
  ];
  if (r.rows.length) {
    lines.push(`| participant | ${r.steps.map(esc).join(' | ')} |`, `|---|${r.steps.map(() => '---').join('|')}|`);
    for (const row of r.rows) {
      // A link names the login without notifying it: the table lists people who are done too.
      const who = row.github ? `${esc(row.moniker)} (${userLink(row.github)})` : esc(row.moniker);
      lines.push(`| ${who} | ${r.steps.map((s) => MARK[row.steps[s] ?? '-'] ?? esc(row.steps[s])).join(' | ')} |`);
    }
    lines.push('');
  }
  if (r.group) lines.push(`Group public key: \`${r.group.publicKey}\``, '');
  lines.push(`**Awaiting:** ${mdText(r.awaiting)}`);
  if (r.errors.length) {
    lines.push('', '**Problems:**');
    for (const e of r.errors) lines.push(`- ${mdText(e.message)}`);
  }
  return lines.join('\n') + '\n';
}

/** JSON view of a report (errors as their parts). */
export function reportJson(r: Report) {
  return {
    ceremony: r.ceremony,
    kind: r.kind,
    phase: r.phase,
    threshold: r.threshold,
    participants: r.participants,
    rows: r.rows,
    awaiting: r.awaiting,
    errors: r.errors.map((e) => ({
      message: e.message,
      file: e.file,
      field: e.field,
      culprit: e.culprit,
      reason: e.reason,
    })),
    publicKey: r.group?.publicKey,
    digests: r.digests,
  };
}
