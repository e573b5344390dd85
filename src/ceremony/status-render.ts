/**
 * A ceremony's status for people: the tracking issue's body, the comment that opens a round, the
 * next-step line of a pull request's comment (Markdown), and the same table for a terminal. Every
 * string someone else chose goes through ./markdown.ts; only the round-opening comment mentions
 * anyone, and only the people the step waits for.
 */
import { CeremonyStatus, nextStepText, ParticipantStatus, stepLabel } from './next-steps.js';
import { mdCode, mdShell, mdText, mention, userLink } from './markdown.js';
import { textTable } from './render.js';

function shape(s: CeremonyStatus): string {
  const r = s.report;
  return `${r.kind}${r.threshold && r.participants ? `, ${r.threshold}-of-${r.participants}` : r.threshold ? `, threshold ${r.threshold}` : ''}`;
}

function phaseLabel(s: CeremonyStatus): string {
  if (s.report.phase === 'complete') return 'complete';
  if (s.report.phase === 'invalid') return `invalid${s.step ? ` (at ${stepLabel(s.step)})` : ''}`;
  return s.step ? stepLabel(s.step) : s.report.phase;
}

function cellMarkdown(p: ParticipantStatus, step: string, current?: string): string {
  const state = p.steps[step] ?? '-';
  if (state === 'done') return '✅ merged';
  if (state === 'invalid') return '❌ invalid';
  if (state !== 'awaited') return '·';
  if (step === current && p.pull) return `🔄 [#${p.pull.number}](${p.pull.url}) open, not merged`;
  return '⏳ not submitted';
}

function nextCellMarkdown(p: ParticipantStatus): string {
  if (p.standing === 'not-submitted') return 'runs the commands above';
  if (p.standing === 'invalid') return 'fixes the problem below, then runs the commands above';
  if (p.standing === 'pull-request') return `nothing: #${p.pull!.number} waits for review and merge`;
  return '—';
}

/** The round table with each participant's login, standing, open pull request and next action. */
export function statusTableMarkdown(s: CeremonyStatus): string {
  const r = s.report;
  const head = ['participant', 'GitHub', ...r.steps.map(stepLabel), 'next'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const p of s.rows)
    lines.push(
      `| ${mdText(p.moniker)} | ${p.github ? userLink(p.github) : '—'} | ${r.steps.map((st) => cellMarkdown(p, st, s.step)).join(' | ')} | ${nextCellMarkdown(p)} |`,
    );
  if (s.unnamed)
    lines.push(
      `| _${s.unnamed} more, not known yet_ | — | ${r.steps.map((st) => (st === s.step ? '⏳ not submitted' : '·')).join(' | ')} | runs the commands above |`,
    );
  return lines.join('\n');
}

function commandsMarkdown(s: CeremonyStatus): string[] {
  const commands = s.awaited.find((p) => p.commands)?.commands ?? s.unnamedCommands;
  if (!commands) return [];
  return [mdShell(commands)];
}

/** Names (not mentions) of the awaited, for text that must notify nobody. */
function awaitedMarkdown(s: CeremonyStatus): string {
  const who = s.awaited.map((p) => `${mdText(p.moniker)}${p.github ? ` (${userLink(p.github)})` : ''}`);
  if (s.unnamed) who.push(`${s.unnamed} more participant${s.unnamed === 1 ? '' : 's'}`);
  return who.join(', ') || 'nobody';
}

/** The tracking issue's body: phase, what is awaited, the commands, the table, the problems. */
export function trackingBodyMarkdown(s: CeremonyStatus, footer: string): string {
  const r = s.report;
  const lines = [`## Ceremony ${mdCode(r.ceremony)} (${shape(s)}): ${phaseLabel(s)}`, ''];
  if (r.phase === 'complete') lines.push(`**Complete.** Group public key: ${mdCode(r.group?.publicKey ?? '')}`, '');
  else if (s.step) {
    lines.push(`**Waiting for ${stepLabel(s.step)} from:** ${awaitedMarkdown(s)}.`, '');
    const cmd = commandsMarkdown(s);
    if (cmd.length)
      lines.push(
        'Whoever has not submitted runs, in their checkout of this repository (a clone of their fork works):',
        '',
        ...cmd,
        '',
      );
  } else lines.push(`**Waiting for:** ${mdCode(r.awaiting)}`, '');
  lines.push(statusTableMarkdown(s), '');
  if (r.errors.length) {
    lines.push('**Problems:**', '');
    for (const e of r.errors) lines.push(`- ${mdCode(e.message)}`);
    lines.push('');
  }
  lines.push(footer);
  return lines.join('\n') + '\n';
}

/**
 * The comment posted when a step opens (or the ceremony completes or breaks): it mentions exactly
 * the people the step waits for, once.
 */
export function roundOpenedMarkdown(s: CeremonyStatus): string {
  const r = s.report;
  if (r.phase === 'complete')
    return `**Ceremony ${mdCode(r.ceremony)} is complete.** Group public key: ${mdCode(r.group?.publicKey ?? '')}. Thank you all.\n`;
  const logins = [...new Set(s.awaited.filter((p) => p.standing !== 'pull-request' && p.github).map((p) => p.github!))];
  const unnamedOnly = s.awaited.filter((p) => !p.github).map((p) => mdText(p.moniker));
  const what = s.step ? stepLabel(s.step) : 'the next step';
  const lines = [
    r.phase === 'invalid'
      ? `**Ceremony ${mdCode(r.ceremony)} needs a fix before ${what} can close.**`
      : `**${what[0].toUpperCase()}${what.slice(1)} of ceremony ${mdCode(r.ceremony)} is open.**`,
    '',
  ];
  const addressed = [...logins.map(mention), ...unnamedOnly];
  if (addressed.length)
    lines.push(
      `${addressed.join(' ')}: it waits for you.${s.unnamed ? ` So do ${s.unnamed} more participants.` : ''}`,
      '',
    );
  else if (s.unnamed) lines.push(`It waits for ${s.unnamed} participant${s.unnamed === 1 ? '' : 's'}.`, '');
  const cmd = commandsMarkdown(s);
  if (cmd.length) lines.push('In your checkout of this repository:', '', ...cmd, '');
  lines.push('The table in the issue above is kept up to date.');
  return lines.join('\n') + '\n';
}

/** The next-step line of a pull request's comment: no mentions, a link to the tracking issue. */
export function nextStepMarkdown(s: CeremonyStatus, issue?: { number: number; url: string }): string {
  const r = s.report;
  const link = issue ? ` Status of the ceremony: [#${issue.number}](${issue.url}).` : '';
  if (r.phase === 'complete') return `**Next (${mdCode(r.ceremony)}):** nothing, the ceremony is complete.${link}`;
  if (!s.step) return `**Next (${mdCode(r.ceremony)}):** ${mdCode(r.awaiting)}.${link}`;
  const command = s.command ? `: ${mdCode(s.command)}` : '';
  return `**Next (${mdCode(r.ceremony)}):** ${stepLabel(s.step)} from ${awaitedMarkdown(s)}${command}.${link}`;
}

function cellText(p: ParticipantStatus, step: string, current?: string): string {
  const state = p.steps[step] ?? '-';
  if (state === 'done') return 'merged';
  if (state === 'invalid') return 'invalid';
  if (state !== 'awaited') return '-';
  if (step === current && p.pull) return `PR #${p.pull.number} open`;
  return 'not merged';
}

/** The same status for a terminal: the table, then each awaited person's commands. */
export function statusText(s: CeremonyStatus): string {
  const r = s.report;
  const lines = [`Ceremony ${r.ceremony} (${shape(s)}): ${phaseLabel(s)}`];
  const head = ['participant', 'github', ...r.steps];
  const body = s.rows.map((p) => [
    p.moniker,
    p.github ? `@${p.github}` : '-',
    ...r.steps.map((st) => cellText(p, st, s.step)),
  ]);
  if (s.unnamed) body.push([`(${s.unnamed} more)`, '-', ...r.steps.map((st) => (st === s.step ? 'not merged' : '-'))]);
  if (body.length) {
    lines.push(...textTable(head, body));
  }
  if (r.group) lines.push(`  group public key: ${r.group.publicKey}`);
  // The audit's own sentence says how many are still needed ("3 more of …"); next: says who may act.
  if (r.phase !== 'complete' && r.awaiting) lines.push(`  awaiting: ${r.awaiting}`);
  lines.push(`  next: ${nextStepText(s).split('; ')[0]}`);
  const commands = s.awaited.find((p) => p.commands)?.commands ?? s.unnamedCommands;
  if (commands) lines.push('  each of them runs, in their checkout:', ...commands.map((c) => `    ${c}`));
  for (const e of r.errors) lines.push(`  problem: ${e.message}`);
  return lines.join('\n');
}
