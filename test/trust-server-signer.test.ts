/**
 * The pieces behind trust-server's commands, in process: the age X25519 reader against the
 * age-encryption library that writes the files, the library's TrustServerSigner over an install,
 * the nonce records, the strict {moniker: string} maps, and the fast path's import graph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { decodeAgeIdentity, decryptAgeX25519 } from '../src/server/age-x25519.js';
import { installServerShare } from '../src/server/install.js';
import { serverPaths } from '../src/server/install-files.js';
import { DirectoryNonceBook, MemoryNonceBook } from '../src/server/nonce-book.js';
import { openTrustServerSigner } from '../src/server/open.js';
import { parseMap } from '../src/server/signer.js';
import { CIPHERSUITE } from '../src/crypto/suite.js';
import { cleanupTempDirs, ROOT, tempDir } from './helpers.js';
import { dealGroup, opensslVerifies } from './sign-fixtures.js';

const g = dealGroup(4, 3, 'h');
const groupJson = JSON.stringify({
  format: 'sss-tool/group@1',
  ciphersuite: CIPHERSUITE,
  publicKey: g.publicKey,
  threshold: 3,
  commitment: g.commitment,
  participants: g.shares.map((s) => ({ moniker: s.moniker, identifier: s.identifier })),
});
const dirs: string[] = [];
const keyFile = (i: number) => join(dirs[i], '..', `key-${i}.txt`);

beforeAll(async () => {
  const root = tempDir('sss-server-unit-');
  for (let i = 0; i < 4; i++) {
    dirs.push(join(root, `server-${i}`));
    await installServerShare({
      share: g.shares[i],
      groupText: groupJson,
      groupFile: 'group.json',
      paths: serverPaths(dirs[i]),
      protection: { newKeyFile: join(root, `key-${i}.txt`) },
    });
  }
});
afterAll(cleanupTempDirs);

const open = (i: number) => openTrustServerSigner({ dir: dirs[i], env: { SSS_TOOL_SERVER_KEY_FILE: keyFile(i) } });
const message = new TextEncoder().encode('header.payload');

describe('the age X25519 reader', () => {
  it('decrypts what age-encryption writes, and refuses a wrong key, any flipped byte, a passphrase file', async () => {
    const identity = await generateX25519Identity();
    const e = new Encrypter();
    e.addRecipient(await identityToRecipient(identity));
    const sealed = await e.encrypt('{"secret": 1}');
    const secret = decodeAgeIdentity(`# comment\n${identity}\n`, 'key');
    expect(new TextDecoder().decode(decryptAgeX25519(sealed, secret, 'f'))).toBe('{"secret": 1}');
    const otherKey = decodeAgeIdentity(await generateX25519Identity(), 'key');
    expect(() => decryptAgeX25519(sealed, otherKey, 'f')).toThrow(/not a server share file for this identity/);
    for (let at = 0; at < sealed.length; at += 7) {
      const bad = sealed.slice();
      bad[at] ^= 0x20;
      expect(() => decryptAgeX25519(bad, secret, 'f'), `byte ${at}`).toThrow(/^f: not a server share file/);
    }
    const p = new Encrypter();
    p.setPassphrase('pw');
    p.setScryptWorkFactor(2);
    const scryptFile = await p.encrypt('x');
    expect(() => decryptAgeX25519(scryptFile, secret, 'f')).toThrow(/not a server share file/);
    expect(() => decodeAgeIdentity('AGE-SECRET-KEY-1QQQ', 'key')).toThrow(/^key: expected an age X25519 identity/);
  });

  // The reference implementation, both ways: the installed share opens with `age -d -i key.txt`
  // (as docs/trust-server.md says), and a file `age -r` wrote opens with our reader.
  it.skipIf(spawnSync('age', ['--version']).error !== undefined)(
    "agrees with the age CLI: age -d opens an install's share, and the reader opens what age -r wrote",
    async () => {
      const opened = spawnSync('age', ['-d', '-i', keyFile(0), serverPaths(dirs[0]).encryptedShare], {
        encoding: 'utf8',
      });
      expect(opened.status, opened.stderr).toBe(0);
      expect(JSON.parse(opened.stdout).moniker).toBe(g.shares[0].moniker);
      const identity = await generateX25519Identity();
      const sealed = spawnSync('age', ['-r', await identityToRecipient(identity)], { input: '{"from":"age"}' });
      expect(sealed.status, String(sealed.stderr)).toBe(0);
      const text = decryptAgeX25519(new Uint8Array(sealed.stdout), decodeAgeIdentity(identity, 'key'), 'f');
      expect(new TextDecoder().decode(text)).toBe('{"from":"age"}');
    },
  );
});

describe('TrustServerSigner (the library)', () => {
  it('three holders sign through getNonce and sign; the signature verifies with OpenSSL', async () => {
    const signers = await Promise.all([0, 1, 3].map(open));
    const nonces = signers.map((s) => s.getNonce());
    const pub = Object.fromEntries(signers.map((s, i) => [s.moniker, nonces[i].nonce_pub]));
    let sigs: Record<string, string> = {};
    let full: string | undefined;
    for (const [i, s] of signers.entries()) {
      const r = s.sign({ pubNonces: pub, myNonce: nonces[i].nonce_priv, message, partialSigs: sigs });
      expect(r.alreadyIncluded).toBe(false);
      sigs = r.sigs!;
      full = r.fullSignature;
      expect(Boolean(full)).toBe(i === 2);
    }
    expect(opensslVerifies(g.publicKey, message, Buffer.from(full!, 'hex'))).toBe(true);
    // The JSON text forms trust-server passes are read the same way.
    const again = signers[0].sign({
      pubNonces: JSON.stringify(pub),
      myNonce: 'unused',
      message: Buffer.from(message).toString('hex'),
      partialSigs: JSON.stringify(sigs),
    });
    expect(again).toEqual({ alreadyIncluded: true, sigs, fullSignature: full });
  });

  it("a nonce from one process's signer is refused by another's (the record is per process by default)", async () => {
    const [a, a2, b, c] = await Promise.all([open(0), open(0), open(1), open(2)]);
    const n = [a.getNonce(), b.getNonce(), c.getNonce()];
    const pub = { h0: n[0].nonce_pub, h1: n[1].nonce_pub, h2: n[2].nonce_pub };
    expect(() => a2.sign({ pubNonces: pub, myNonce: n[0].nonce_priv, message })).toThrow(
      /--my-nonce: this nonce was already used, or was not issued/,
    );
    expect(a.sign({ pubNonces: pub, myNonce: n[0].nonce_priv, message }).sigs).toHaveProperty('h0');
  });

  it('nonce_priv is sealed: it is not the nonces whose commitments nonce_pub lists', async () => {
    const { Point } = await import('../src/crypto/suite.js');
    const n = (await open(0)).getNonce();
    const priv = Buffer.from(n.nonce_priv, 'base64');
    const le = (b: Buffer) => BigInt('0x' + Buffer.from(b).reverse().toString('hex'));
    const hiding = le(priv.subarray(0, 32)) % Point.Fn.ORDER;
    expect(
      Buffer.from(Point.BASE.multiply(hiding || 1n).toBytes()).equals(
        Buffer.from(n.nonce_pub, 'base64').subarray(0, 32),
      ),
    ).toBe(false);
  });

  it('refuses an install opened with the wrong key, naming the file', async () => {
    await expect(
      openTrustServerSigner({ dir: dirs[0], env: { SSS_TOOL_SERVER_KEY_FILE: keyFile(1) } }),
    ).rejects.toThrow(/sss-tool-server-share\.age: not a server share file for this identity/);
    await expect(openTrustServerSigner({ dir: dirs[0], env: {} })).rejects.toThrow(/set SSS_TOOL_SERVER_KEY/);
  });
});

describe('install --replace', () => {
  it('leaves no share of the other protection behind: a plaintext install replaced by an encrypted one is gone', async () => {
    const dir = join(dirs[0], '..', 'replaced');
    const base = { share: g.shares[0], groupText: groupJson, groupFile: 'group.json', paths: serverPaths(dir) };
    await installServerShare({ ...base, protection: { plaintext: true } });
    expect(existsSync(serverPaths(dir).plaintextShare)).toBe(true);
    const key = join(dir, '..', 'replaced-key.txt');
    await installServerShare({ ...base, protection: { newKeyFile: key }, replace: true });
    expect(existsSync(serverPaths(dir).plaintextShare)).toBe(false);
    expect(existsSync(serverPaths(dir).encryptedShare)).toBe(true);
    const signer = await openTrustServerSigner({ dir, env: { SSS_TOOL_SERVER_KEY_FILE: key } });
    expect(signer.getNonce().nonce_pub).toMatch(/^[A-Za-z0-9+/]{86}==$/);
  });
});

describe('nonce records', () => {
  it("shared with spawned commands: the install's directory, or SSS_TOOL_NONCE_DIR for a read-only install", async () => {
    const elsewhere = join(tempDir(), 'nonces');
    const env = { SSS_TOOL_SERVER_KEY_FILE: keyFile(2), SSS_TOOL_NONCE_DIR: elsewhere };
    const s = await openTrustServerSigner({ dir: dirs[2], env, nonces: 'directory' });
    s.getNonce();
    expect(readdirSync(elsewhere)).toHaveLength(1);
    expect(readdirSync(join(dirs[2], 'sss-tool-nonces'))).toHaveLength(0);
  });

  it('memory: bounded, oldest dropped first, each consumed once', () => {
    const book = new MemoryNonceBook(2);
    const k = (i: number) => new Uint8Array(64).fill(i);
    [1, 2, 3].forEach((i) => book.issue(k(i)));
    expect(book.consume(k(1))).toBe(false);
    expect(book.consume(k(2))).toBe(true);
    expect(book.consume(k(2))).toBe(false);
    expect(book.consume(k(3))).toBe(true);
  });

  it('directory: bounded, and of two consumers of one nonce exactly one wins', () => {
    const book = new DirectoryNonceBook(join(tempDir(), 'n'), 3);
    const k = (i: number) => new Uint8Array(64).fill(i);
    [1, 2, 3, 4, 5].forEach((i) => book.issue(k(i)));
    expect([1, 2, 3, 4, 5].map((i) => book.consume(k(i)))).toEqual([false, false, true, true, true]);
    book.issue(k(9));
    const other = new DirectoryNonceBook(book.dir, 3);
    expect([book.consume(k(9)), other.consume(k(9))]).toEqual([true, false]);
  });
});

describe('the {moniker: string} maps', () => {
  it('refuse a repeated key, a non-moniker key, a non-string value, and anything but an object', () => {
    expect([...parseMap('{"a":"x", "b" : "y"}', 'f')]).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ]);
    expect(parseMap(' {} ', 'f').size).toBe(0);
    expect(() => parseMap('{"alice":"x","alice":"y"}', '--pub-nonces')).toThrow(
      /--pub-nonces: the same moniker appears twice \(culprit: alice\)/,
    );
    expect(() => parseMap('{"Alice":"x"}', 'f')).toThrow(/"Alice" is not a moniker/);
    expect(() => parseMap('{"alice":1}', 'f')).toThrow(/expected a JSON object/);
    expect(() => parseMap({ alice: 1 }, 'f')).toThrow(/f\.alice: expected a string value/);
    expect(() => parseMap('["alice"]', 'f')).toThrow(/expected a JSON object/);
    expect(() => parseMap('{"a":"x",}', 'f')).toThrow(/expected a JSON object/);
  });
});

describe('the spawned fast path', () => {
  it('imports no commander, zod or age-encryption (each costs more than a signing step)', () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
        if (m[1].startsWith('.')) walk(resolve(dirname(file), m[1]));
        else bare.add(m[1]);
      }
    };
    const entry = join(ROOT, 'lib', 'server', 'cli.js');
    expect(existsSync(entry)).toBe(true);
    walk(entry);
    for (const b of bare) expect(b, b).toMatch(/^(node:|@noble\/(curves|hashes|ciphers)\/|@scure\/base$)/);
    expect(bare.size).toBeGreaterThan(3);
  });
});
