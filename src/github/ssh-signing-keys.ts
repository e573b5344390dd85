/**
 * A participant's artifact signing key, registered on their GitHub account as an SSH signing key:
 * the binding between an identity in the transcript and a GitHub login that no pull request can
 * forge (only the account's owner can add a key to it).
 *
 * The OpenSSH public key line of an Ed25519 key (RFC 8709 section 4, RFC 4253 section 6.6) is
 *   "ssh-ed25519 " || base64( string("ssh-ed25519") || string(32-byte key) ) [ " " comment ]
 * where string(x) is a uint32 big-endian length followed by x. Nothing else is accepted here.
 *
 * Domain separation. The same key may also sign git commits (SSHSIG). SSHSIG's signed blob is
 *   "SSHSIG" || string(namespace) || string(reserved) || string(hash_alg) || string(H(message))
 * (OpenSSH PROTOCOL.sshsig), and an SSH user-authentication signature covers a blob that begins
 * with string(session id), i.e. a zero byte. An artifact signature covers
 *   "sss-tool/v1 artifact\n" || JCS(artifact)
 * (src/artifacts/canonical.ts). Ed25519 signs the message itself (no pre-hash), and no byte string
 * starts with both "SSHSIG" (0x53 …), "sss-tool/v1 artifact\n" (0x73 …) and 0x00, so a signature
 * made for one is never valid for another (test/ssh-signing-keys.test.ts checks real ssh-keygen
 * output).
 */
import { Octokit } from '@octokit/rest';
import { bytesToHex, hexToBytes } from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { client, httpStatus } from './api.js';

const KEY_TYPE = 'ssh-ed25519';

function sshString(bytes: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** The OpenSSH public key line for a hex Ed25519 public key (what `gh ssh-key add` uploads). */
export function sshPublicKeyLine(signingKeyHex: string, comment?: string): string {
  const blob = Buffer.concat([sshString(Buffer.from(KEY_TYPE)), sshString(hexToBytes(signingKeyHex))]);
  return `${KEY_TYPE} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`;
}

/** The hex Ed25519 key of an OpenSSH public key line, or undefined for anything else (RSA, ECDSA, sk-, malformed). */
export function ed25519FromSshLine(line: string): string | undefined {
  const m = /^ssh-ed25519 ([A-Za-z0-9+/]+={0,2})(?: .*)?$/.exec(line.trim());
  if (!m) return undefined;
  const blob = Buffer.from(m[1], 'base64');
  if (blob.toString('base64') !== m[1] || blob.length !== 4 + KEY_TYPE.length + 4 + 32) return undefined;
  if (blob.readUInt32BE(0) !== KEY_TYPE.length || blob.subarray(4, 15).toString('latin1') !== KEY_TYPE)
    return undefined;
  if (blob.readUInt32BE(15) !== 32) return undefined;
  return bytesToHex(blob.subarray(19));
}

/** The command that registers the key on the signed-in account (GitHub CLI). */
export function registerCommand(pubFile: string, title: string): string {
  const q = (s: string) => (/^[A-Za-z0-9_./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return `gh ssh-key add --type signing ${q(pubFile)} --title ${q(title)}`;
}

/**
 * The Ed25519 SSH signing keys (hex) of a GitHub account, from GET /users/{login}/ssh_signing_keys
 * (public; the token only raises the rate limit). An unknown login has none.
 */
export async function sshSigningKeys(
  login: string,
  o: Octokit = client(process.env.GITHUB_TOKEN || process.env.GH_TOKEN || ''),
): Promise<Set<string>> {
  try {
    const keys = await o.paginate(o.rest.users.listSshSigningKeysForUser, { username: login, per_page: 100 });
    return new Set(
      keys.map((k) => ed25519FromSshLine(String(k.key ?? ''))).filter((k): k is string => k !== undefined),
    );
  } catch (e) {
    if (httpStatus(e) === 404) return new Set();
    throw new SssError(`cannot read @${login}'s SSH signing keys from the GitHub API: ${(e as Error).message}`, {
      code: 'git',
      field: 'github',
    });
  }
}

/** Memoizes sshSigningKeys per login for one run (one request per login however many files). */
export function signingKeyDirectory(o: Octokit): (login: string) => Promise<Set<string>> {
  const cache = new Map<string, Promise<Set<string>>>();
  return (login) => {
    const key = login.toLowerCase();
    if (!cache.has(key)) cache.set(key, sshSigningKeys(login, o));
    return cache.get(key)!;
  };
}
