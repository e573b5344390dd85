/**
 * Markdown built from strings someone else chose (monikers, logins, error messages that quote
 * file contents): nothing they write may become a link, an HTML tag, a table cell, an issue
 * reference or an @-mention. GitHub renders Markdown, then turns `@login` and `#123` in text
 * into mentions and references, except inside code and links; so free text goes in a code span,
 * and a login is shown as a link to its profile, which names the person without notifying them.
 * Only `mention()` notifies, and callers use it for exactly the people a step waits for.
 */

/** GitHub's login rule: alphanumerics and single hyphens, not at either end, at most 39. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** C0/C1 controls, and the invisible or direction-changing characters that hide text. */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

export function isLogin(s: string): boolean {
  return LOGIN.test(s);
}

/**
 * Any text as an inline code span, safe in a table cell: controls and invisible characters become
 * U+FFFD, the fence is longer than any run of backticks inside, and `|` is escaped (GFM splits
 * table cells on it even inside code).
 */
export function mdCode(s: string): string {
  const clean = s.replace(HIDDEN, '\ufffd').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') || clean.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/**
 * Text that should read as text: every ASCII punctuation character is backslash-escaped, so
 * nothing is emphasis, a link, a tag or a cell border. Text holding `@` or `#` goes in a code
 * span instead: a backslash would not stop GitHub's mention and reference filters.
 */
export function mdText(s: string): string {
  if (/[@#]/.test(s)) return mdCode(s);
  return s.replace(HIDDEN, '\ufffd').replace(/[!-/:-?[-`{-~]/g, (c) => `\\${c}`);
}

/** A login shown as a link to its profile: readable as @login, and no notification. */
export function userLink(login: string): string {
  return isLogin(login) ? `[@${login}](https://github.com/${login})` : mdCode(login);
}

/** A real @-mention (it notifies). Refuses anything that is not a login. */
export function mention(login: string): string {
  if (!isLogin(login)) throw new Error(`not a GitHub login: ${JSON.stringify(login)}`);
  return `@${login}`;
}

/** A shell command as a fenced block (commands are built from validated ids and paths). */
export function mdShell(lines: string[], indent = ''): string {
  const body = lines.map((l) => l.replace(HIDDEN, '\ufffd'));
  const longest = Math.max(2, ...body.flatMap((l) => l.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}sh`, ...body, fence].map((l) => indent + l).join('\n');
}
