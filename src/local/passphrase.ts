/**
 * Where the passphrase comes from. An explicit --passphrase-file wins, then SSS_TOOL_PASSPHRASE,
 * then a prompt when stdin is a terminal (docs/design.md says why explicit sources come first).
 */
import { readFileSync } from 'node:fs';
import { SssError } from '../errors.js';

export const PASSPHRASE_ENV = 'SSS_TOOL_PASSPHRASE';

export interface PassphraseOptions {
  passphraseFile?: string;
  /** Ask twice (when a new passphrase is being set). */
  confirm?: boolean;
}

export async function getPassphrase(opts: PassphraseOptions = {}): Promise<string> {
  if (opts.passphraseFile) {
    let text: string;
    try {
      text = readFileSync(opts.passphraseFile, 'utf8');
    } catch {
      throw new SssError('cannot read the passphrase file', { code: 'private', file: opts.passphraseFile });
    }
    const p = text.replace(/\r?\n$/, '');
    if (!p) throw new SssError('the passphrase file is empty', { code: 'private', file: opts.passphraseFile });
    return p;
  }
  const env = process.env[PASSPHRASE_ENV];
  if (env) return env;
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const p = await prompt('Passphrase: ');
    if (!p) throw new SssError('empty passphrase', { code: 'private' });
    if (opts.confirm && (await prompt('Passphrase (again): ')) !== p)
      throw new SssError('the passphrases differ', { code: 'private' });
    return p;
  }
  throw new SssError(`no passphrase: run in a terminal, set ${PASSPHRASE_ENV}, or pass --passphrase-file`, {
    code: 'usage',
  });
}

/** Reads a line from the terminal without echoing it. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let buf = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          cleanup();
          process.stderr.write('\n');
          return resolve(buf);
        }
        if (ch === '\u0003') {
          cleanup();
          process.stderr.write('\n');
          return reject(new SssError('cancelled', { code: 'private' }));
        }
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}
