/** The round table, as terminal text (CLI) and as Markdown (the Action's summary and comment). */
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

/** Plain text for a terminal. */
export function renderText(r: Report): string {
  const lines = [`Ceremony ${title(r)}`];
  if (r.rows.length) {
    const head = ['participant', ...r.steps];
    const body = r.rows.map((row) => [row.moniker, ...r.steps.map((s) => row.steps[s] ?? '-')]);
    const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const fmt = (cells: string[]) =>
      '  ' +
      cells
        .map((c, i) => c.padEnd(width[i]))
        .join('  ')
        .trimEnd();
    lines.push(fmt(head), ...body.map(fmt));
  }
  if (r.group) lines.push(`  group public key: ${r.group.publicKey}`);
  lines.push(`  awaiting: ${r.awaiting}`);
  for (const e of r.errors) lines.push(`  problem: ${e.message}`);
  return lines.join('\n');
}

const esc = (s: string) => s.replace(/[|<>]/g, (c) => `\\${c}`);

/** Markdown for a job summary or a PR comment. */
export function renderMarkdown(r: Report): string {
  const lines = [
    `### Ceremony \`${r.ceremony}\` (${r.kind}${r.threshold && r.participants ? `, ${r.threshold}-of-${r.participants}` : ''}): **${r.phase}**`,
    '',
  ];
  if (r.rows.length) {
    lines.push(`| participant | ${r.steps.join(' | ')} |`, `|---|${r.steps.map(() => '---').join('|')}|`);
    for (const row of r.rows) {
      const who = row.github ? `${row.moniker} (@${row.github})` : row.moniker;
      lines.push(`| ${esc(who)} | ${r.steps.map((s) => MARK[row.steps[s] ?? '-'] ?? row.steps[s]).join(' | ')} |`);
    }
    lines.push('');
  }
  if (r.group) lines.push(`Group public key: \`${r.group.publicKey}\``, '');
  lines.push(`**Awaiting:** ${esc(r.awaiting)}`);
  if (r.errors.length) {
    lines.push('', '**Problems:**');
    for (const e of r.errors) lines.push(`- ${esc(e.message)}`);
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
