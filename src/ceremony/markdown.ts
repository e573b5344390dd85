/**
 * Escaping for every user-controlled string the Action writes into Markdown (the job summary, the
 * pull-request comment) or a log line: file names, reasons that quote a file's values, monikers,
 * ceremony ids, logins. Nothing a pull request carries may start a heading, a table row, a link,
 * an HTML element or an @-mention, or break a line.
 *
 * - `oneLine` makes line breaks, other control characters, bidi overrides and invisible
 *   characters visible as escapes (`\n`, `\u202e`): one line, and what you see is what is there.
 * - `mdText` is for running text and table cells: `oneLine`, then HTML's `&<>"` as entities,
 *   what starts emphasis, code, links, images or a table cell backslash-escaped, and `@` and `#`
 *   followed by a zero-width space (an entity, so the source stays ASCII): GitHub finds mentions
 *   and issue references in the rendered text, after escapes are gone, so only breaking the
 *   pattern stops them. (User text never starts a line here, so `#`, `-`, `>` cannot begin a
 *   block.)
 * - `mdCode` is for names shown as code: an HTML `<code>` element whose text has every ASCII
 *   punctuation character but `-`, `.`, `/` and `,` as a numeric entity. Markdown inside an inline
 *   HTML element is still parsed (links, images, emphasis, autolinks), so nothing that could start
 *   one may stay literal; `:` as an entity also breaks `https://` autolinks, and a `www.` has its dot
 *   encoded. A table splits on `|` before anything else is parsed: it is an entity too.
 */

const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Line breaks, controls and invisible or direction-changing characters as visible escapes. */
export function oneLine(s: string): string {
  return String(s).replace(INVISIBLE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Running Markdown text (a paragraph, a table cell). */
export function mdText(s: string): string {
  return oneLine(s)
    .replace(/[&<>"]/g, (c) => HTML[c])
    .replace(/[\\`*_~[\]|]/g, (c) => `\\${c}`)
    .replace(/[@#]/g, (c) => `${c}&#8203;`);
}

/** A name shown as code (a file, a field, a ceremony id). */
export function mdCode(s: string): string {
  const inner = oneLine(s)
    .replace(/[!-+:-@[-`{-~]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/(www)\./gi, '$1&#46;');
  return `<code>${inner}</code>`;
}

/*
 * Naming people. GitHub notifies (and subscribes) everyone @-mentioned in an issue or comment, so
 * a table that lists people who are done must name them without mentioning them: a link to the
 * profile reads as @login and notifies nobody (GitHub skips mentions inside links). Only
 * `mention()` notifies, and the tracking issue uses it for exactly the people a step waits for.
 */

/** GitHub's login rule: alphanumerics and single hyphens, not at either end, at most 39. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export function isLogin(s: string): boolean {
  return LOGIN.test(s);
}

/** A login shown as a link to its profile: readable as @login, and no notification. */
export function userLink(login: string): string {
  return isLogin(login) ? `[@${login}](https://github.com/${login})` : mdCode(login);
}

/** A real @-mention (it notifies). Refuses anything that is not a login. */
export function mention(login: string): string {
  if (!isLogin(login)) throw new Error(`not a GitHub login: ${JSON.stringify(oneLine(login))}`);
  return `@${login}`;
}

/** Shell commands as a fenced block (built from validated ids and paths; one line each). */
export function mdShell(lines: string[]): string {
  const body = lines.map(oneLine);
  const longest = Math.max(2, ...body.flatMap((l) => l.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}sh`, ...body, fence].join('\n');
}
