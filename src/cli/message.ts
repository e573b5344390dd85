/** The message a signing command signs or checks: --message-hex or the bytes of --message-file. */
import { existsSync, readFileSync } from 'node:fs';
import { SssError } from '../errors.js';

export interface MessageOptions {
  messageHex?: string;
  messageFile?: string;
}

export function readMessage(opts: MessageOptions): Uint8Array {
  if ((opts.messageHex === undefined) === (opts.messageFile === undefined))
    throw new SssError('give the message with exactly one of --message-hex or --message-file', { code: 'usage' });
  if (opts.messageHex !== undefined) {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(opts.messageHex))
      throw new SssError('expected an even number of hex digits', { code: 'usage', field: '--message-hex' });
    return new Uint8Array(Buffer.from(opts.messageHex, 'hex'));
  }
  if (!existsSync(opts.messageFile!)) throw new SssError('no such file', { code: 'io', file: opts.messageFile });
  return new Uint8Array(readFileSync(opts.messageFile!));
}
