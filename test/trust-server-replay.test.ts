/**
 * trust-server's multisig flow, replayed from its contract (docs/trust-server.md), against the real
 * CLI. A 3-of-4 group is made with the real ceremony commands; each holder installs its share with
 * `sss-tool install` (the only way a cosigner gets it); four cosigner HTTP servers on 127.0.0.1 then
 * do what trust-server's services.js does: spawn `sss-tool` from PATH with an argument array (no
 * shell), in their own working directory and environment, read stdout with its regular
 * expressions, keep private nonces in memory keyed by the public nonce (at most 21) and delete one
 * when it is used. A client does what get_jwt_token.sh does: stage 1 against the URLs of
 * public_info/peers_list.txt until it has M nonces, then chains stage 2 through the M sorted
 * monikers. Every JWT must verify with jose under public_info/public_key.txt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { importJWK, jwtVerify } from 'jose';
import { BIN, cleanupTempDirs, ok, tempDir } from './helpers.js';
import { genesisThroughCli } from './support/genesis.js';

const M = 3;
const MONIKERS = ['alice', 'bob', 'carol', 'dave'];
const CEREMONY = 'genesis';

let root: string;
let repo: string;
let binDir: string;
const cosigners = new Map<string, Cosigner>();
/** Every --my-nonce any cosigner passed to `sign`, to prove none is used twice. */
const signedWith: string[] = [];

interface Spawned {
  code: number;
  stdout: string;
  stderr: string;
}

/** trust-server's execCommand: spawn(command, args) with the server's cwd and environment. */
function spawnTool(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn('sss-tool', args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const base64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** One trust-server process in MULTISIG_MODE, reduced to its signing part. */
class Cosigner {
  moniker = '';
  sharedPublicKey = '';
  readonly nonceMap = new Map<string, string>();
  readonly nonceList: string[] = [];
  server: Server;
  port = 0;

  constructor(
    readonly cwd: string,
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.server = createServer((req, res) => void this.#handle(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}/get_jwt`;
  }

  async run(args: string[]): Promise<string> {
    const r = await spawnTool(args, this.cwd, this.env);
    if (r.code !== 0) throw new Error(`sss-tool failed (code ${r.code}): ${r.stderr || r.stdout || 'No output'}`);
    return r.stdout;
  }

  /** loadSecrets_Multisig: `info`, then the two regular expressions. */
  async loadSecrets(): Promise<void> {
    const output = await this.run(['info']);
    const moniker = output.match(/Moniker:\s*(\S+)/i);
    const pubkey = output.match(/Shared Pubkey\s*=\s*([0-9a-fA-F]+)/);
    if (!moniker || !pubkey) throw new Error('info output unreadable');
    this.moniker = moniker[1];
    this.sharedPublicKey = pubkey[1];
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    try {
      const { quote, nonces, partial_sigs } = JSON.parse(body);
      const result = await this.processQuote(quote, nonces, partial_sigs);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (e) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (e as Error).message }));
    }
  }

  /** processQuote's multisig branch; the quote check is replaced by hashing the quote. */
  async processQuote(hexQuote: string, nonces?: Record<string, string>, partialSigs?: Record<string, string>) {
    if (!/^[0-9a-fA-F]+$/.test(hexQuote)) throw new Error('Invalid quote format: must be hex string');
    const quoteHash = createHash('sha256').update(Buffer.from(hexQuote, 'hex')).digest('hex');
    const machineId = createHash('sha256').update(quoteHash).digest('hex');
    const payload = { quote_hash: quoteHash, machine_id: machineId, label: 'replay' };
    if (nonces) {
      const safeNonces = normalize(nonces);
      const myNoncePub = safeNonces[this.moniker];
      if (!myNoncePub) throw new Error('my nonce not included');
      const myNoncePriv = this.nonceMap.get(myNoncePub);
      if (!myNoncePriv) throw new Error('my nonce not found');
      this.nonceMap.delete(myNoncePub);
      const safeSigs = partialSigs ? normalize(partialSigs) : {};
      const header = { alg: 'EdDSA', typ: 'JWT', kid: this.sharedPublicKey };
      const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
      signedWith.push(myNoncePriv);
      const output = await this.run([
        'sign',
        '--pub-nonces',
        JSON.stringify(safeNonces),
        '--my-nonce',
        myNoncePriv,
        '--message',
        Buffer.from(signingInput, 'utf8').toString('hex'),
        '--partial-sigs',
        JSON.stringify(safeSigs),
      ]);
      const full = output.match(/^\s*full_signature\s*:\s*([0-9a-fA-F]+)\s*$/m);
      if (!full) {
        const sigs = output.match(/^\s*sigs\s*=\s*(\{.*\})\s*$/m);
        if (!sigs) throw new Error('SSS output missing sigs');
        return JSON.parse(sigs[1]);
      }
      return { jwt: `${signingInput}.${base64url(Buffer.from(full[1], 'hex'))}` };
    }
    const output = await this.run(['get-nonce']);
    const noncePriv = output.match(/nonce_priv\s*=\s*([A-Za-z0-9+/=]+)/)?.[1];
    const noncePub = output.match(/nonce_pub\s*=\s*([A-Za-z0-9+/=]+)/)?.[1];
    if (!noncePriv || !noncePub) throw new Error('failed to get nonce');
    if (this.nonceList.length > 20) this.nonceMap.delete(this.nonceList.shift()!);
    this.nonceList.push(noncePub);
    this.nonceMap.set(noncePub, noncePriv);
    return { machineId, moniker: this.moniker, nonce: noncePub };
  }
}

function normalize(inp: Record<string, unknown>): Record<string, string> {
  if (typeof inp !== 'object' || Array.isArray(inp)) throw new Error('input malformed');
  const out: Record<string, string> = {};
  for (const k of Object.keys(inp).sort()) {
    if (typeof inp[k] !== 'string') throw new Error(`Nonce for '${k}' must be a string`);
    out[k] = inp[k] as string;
  }
  return out;
}

async function post(url: string, body: unknown): Promise<Record<string, string>> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await r.json()) as Record<string, string>;
  if (!r.ok) throw new Error(`${url}: ${json.error}`);
  return json;
}

/** get_jwt_token.sh: stage 1 over the peers (from `start` on) until M nonces, then the chain. */
async function getJwt(quote: string, start = 0): Promise<string> {
  const peers = readFileSync(join(repo, 'public_info', 'peers_list.txt'), 'utf8')
    .trim()
    .split('\n');
  const urlByMoniker = new Map<string, string>();
  const nonceByMoniker = new Map<string, string>();
  for (const url of [...peers.slice(start), ...peers.slice(0, start)]) {
    const r = await post(url, { quote });
    if (!nonceByMoniker.has(r.moniker)) {
      urlByMoniker.set(r.moniker, url);
      nonceByMoniker.set(r.moniker, r.nonce);
    }
    if (nonceByMoniker.size >= M) break;
  }
  const chosen = [...nonceByMoniker.keys()].sort().slice(0, M);
  const nonces = Object.fromEntries(chosen.map((m) => [m, nonceByMoniker.get(m)!]));
  let partialSigs: Record<string, string> = {};
  for (const m of chosen) {
    const r = await post(
      urlByMoniker.get(m)!,
      Object.keys(partialSigs).length ? { quote, nonces, partial_sigs: partialSigs } : { quote, nonces },
    );
    if (r.jwt) return r.jwt;
    partialSigs = { ...partialSigs, ...r };
  }
  throw new Error('chain finished but no final jwt was returned');
}

async function verifyJwt(jwt: string) {
  const key = readFileSync(join(repo, 'public_info', 'public_key.txt'), 'utf8').trim();
  const jwk = await importJWK(
    { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key, 'hex').toString('base64url') },
    'EdDSA',
  );
  return jwtVerify(jwt, jwk);
}

/** The holder's cosigner process environment: the install, its key, sss-tool on PATH; no passphrase. */
function serverEnv(m: string, useHome: boolean): NodeJS.ProcessEnv {
  return {
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: join(root, 'nohome'),
    SSS_TOOL_SERVER_KEY_FILE: join(root, 'keys', `${m}.txt`),
    ...(useHome ? { SSS_TOOL_HOME: join(root, 'servers', m) } : {}),
  };
}

beforeAll(async () => {
  root = tempDir('sss-trust-server-');
  repo = join(root, 'repo');
  // sss-tool on PATH, as the Docker image installs it.
  binDir = join(root, 'bin');
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'sss-tool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(binDir, 'sss-tool'), 0o755);

  // Alice and bob find their install through SSS_TOOL_HOME; carol and dave run in its directory.
  const endpoints = new Map<string, string>();
  for (const [i, m] of MONIKERS.entries()) {
    const dir = join(root, 'servers', m);
    const c = new Cosigner(i < 2 ? join(root, 'app') : dir, serverEnv(m, i < 2));
    endpoints.set(m, await c.listen());
    cosigners.set(m, c);
  }
  mkdirSync(join(root, 'app'));
  // The steps run in a checkout of the ceremony repository.
  const g = genesisThroughCli(root, {
    monikers: MONIKERS,
    threshold: M,
    ceremony: CEREMONY,
    endpoint: (m) => endpoints.get(m)!,
  });
  mkdirSync(join(root, 'keys'));
  for (const m of MONIKERS)
    ok(g.as(m, ['install', '--to', join(root, 'servers', m), '--new-key', join(root, 'keys', `${m}.txt`)]), {
      cwd: repo,
    });
  for (const c of cosigners.values()) await c.loadSecrets();
}, 300_000);

afterAll(async () => {
  for (const c of cosigners.values()) await new Promise((r) => c.server.close(r));
  cleanupTempDirs();
});

describe("trust-server's flow against sss-tool", () => {
  it('peers_list.txt lists the four cosigner URLs; every cosigner reads its moniker and the group key from info', () => {
    const peers = readFileSync(join(repo, 'public_info', 'peers_list.txt'), 'utf8');
    expect(peers).toBe(MONIKERS.map((m) => `http://127.0.0.1:${cosigners.get(m)!.port}/get_jwt\n`).join(''));
    const key = readFileSync(join(repo, 'public_info', 'public_key.txt'), 'utf8').trim();
    for (const [m, c] of cosigners) expect([c.moniker, c.sharedPublicKey]).toEqual([m, key]);
  });

  it('a client gets a JWT that jose verifies under public_info/public_key.txt', async () => {
    const jwt = await getJwt('c0ffee01');
    const { payload, protectedHeader } = await verifyJwt(jwt);
    expect(protectedHeader).toEqual({
      alg: 'EdDSA',
      typ: 'JWT',
      kid: readFileSync(join(repo, 'public_info', 'public_key.txt'), 'utf8').trim(),
    });
    expect(payload).toMatchObject({
      quote_hash: createHash('sha256').update(Buffer.from('c0ffee01', 'hex')).digest('hex'),
      label: 'replay',
    });
  });

  it('20 concurrent JWT requests all verify, with every signer subset, and no nonce is used twice', async () => {
    signedWith.length = 0;
    const quotes = Array.from({ length: 20 }, (_, i) => `ab${i.toString(16).padStart(4, '0')}`);
    const jwts = await Promise.all(quotes.map((q, i) => getJwt(q, i % MONIKERS.length)));
    for (const jwt of jwts) await verifyJwt(jwt);
    expect(new Set(jwts).size).toBe(20);
    expect(signedWith).toHaveLength(20 * M);
    expect(new Set(signedWith).size).toBe(20 * M);
    // Every nonce issued was consumed: the install's record of issued nonces is empty again.
    for (const m of MONIKERS) expect(readdirSync(join(root, 'servers', m, 'sss-tool-nonces'))).toEqual([]);
  }, 300_000);
});

describe('sign refuses, in one line on stderr', () => {
  const key = () => readFileSync(join(repo, 'public_info', 'public_key.txt'), 'utf8').trim();
  const message = Buffer.from('eyJhbGciOiJFZERTQSJ9.eyJ0ZXN0IjoxfQ').toString('hex');
  const tool = (m: string, args: string[]) => spawnTool(args, cosigners.get(m)!.cwd, cosigners.get(m)!.env);

  async function nonces(who: string[]) {
    const priv: Record<string, string> = {};
    const pub: Record<string, string> = {};
    for (const m of who) {
      const out = (await tool(m, ['get-nonce'])).stdout;
      expect(out).toMatch(/^nonce_priv = [A-Za-z0-9+/]{86}==\nnonce_pub = [A-Za-z0-9+/]{86}==\n$/);
      priv[m] = out.match(/nonce_priv\s*=\s*([A-Za-z0-9+/=]+)/)![1];
      pub[m] = out.match(/nonce_pub\s*=\s*([A-Za-z0-9+/=]+)/)![1];
    }
    return { priv, pub };
  }
  const sign = (m: string, pub: object, priv: string, sigs: object = {}) =>
    tool(m, [
      'sign',
      '--pub-nonces',
      JSON.stringify(pub),
      '--my-nonce',
      priv,
      '--message',
      message,
      '--partial-sigs',
      JSON.stringify(sigs),
    ]);

  function refused(r: Spawned, pattern: RegExp): void {
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^sss-tool: error: /);
    expect(lines[0]).toMatch(pattern);
  }

  it('info prints exactly what trust-server reads, and the stage-2 outputs are exactly its lines', async () => {
    expect((await tool('alice', ['info'])).stdout).toBe(
      `Moniker: alice\nInitialization ceremony complete.\nM = 3\nShared Pubkey = ${key()}\nMy share initialized\nGroup epoch = 0\n`,
    );
    const { priv, pub } = await nonces(['alice', 'bob', 'dave']);
    const a = await sign('alice', pub, priv.alice);
    expect(a.stdout).toMatch(/^sigs = \{"alice":"[A-Za-z0-9+/]{43}="\}\n$/);
    const sigs = JSON.parse(a.stdout.slice('sigs = '.length));
    const again = await sign('alice', pub, priv.alice, sigs);
    // Already in the map: nothing signed, and the map comes back so trust-server's sigs regex still reads it.
    expect(again.stdout).toBe(`already included\nsigs = ${JSON.stringify(sigs)}\n`);
    expect(/^\s*sigs\s*=\s*(\{.*\})\s*$/m.exec(again.stdout)?.[1]).toBe(JSON.stringify(sigs));
    const b = await sign('bob', pub, priv.bob, sigs);
    const d = await sign('dave', pub, priv.dave, JSON.parse(b.stdout.slice('sigs = '.length)));
    expect(d.stdout).toMatch(
      /^sigs = \{"alice":"[^"]+","bob":"[^"]+","dave":"[^"]+"\}\nfull_signature: [0-9a-f]{128}\n$/,
    );
  });

  it('a replayed nonce_priv', async () => {
    const { priv, pub } = await nonces(['alice', 'bob', 'carol']);
    expect((await sign('alice', pub, priv.alice)).code).toBe(0);
    refused(
      await sign('alice', pub, priv.alice),
      /--my-nonce: this nonce was already used, or was not issued by get-nonce/,
    );
  });

  it('a foreign moniker among the signers, named', async () => {
    const { priv, pub } = await nonces(['alice', 'bob', 'carol']);
    refused(
      await sign('alice', { ...pub, mallory: pub.bob }, priv.alice),
      /--pub-nonces: not a holder of this group \(culprit: mallory\)/,
    );
  });

  it('a tampered partial signature, named', async () => {
    const { priv, pub } = await nonces(['alice', 'bob', 'carol']);
    const sigs = JSON.parse((await sign('alice', pub, priv.alice)).stdout.slice('sigs = '.length));
    const share = Buffer.from(sigs.alice, 'base64');
    share[0] ^= 1;
    refused(
      await sign('bob', pub, priv.bob, { alice: share.toString('base64') }),
      /--partial-sigs: invalid signature share \(culprit: alice\)/,
    );
    // Bob's nonce was not used by the refusal: with alice's real share he signs.
    expect((await sign('bob', pub, priv.bob, sigs)).code).toBe(0);
  });

  it("a wrong-length nonce (the old tool's 32-byte scalar)", async () => {
    const { priv, pub } = await nonces(['alice', 'bob', 'carol']);
    refused(await sign('alice', pub, Buffer.alloc(32, 7).toString('base64')), /--my-nonce: expected 64 bytes, got 32/);
    refused(
      await sign('alice', { ...pub, bob: Buffer.alloc(32, 7).toString('base64') }, priv.alice),
      /--pub-nonces\.bob: expected 64 bytes, got 32/,
    );
  });

  it("another holder's nonce_priv: its commitment is not the one listed under this moniker", async () => {
    const { priv, pub } = await nonces(['alice', 'bob', 'carol']);
    refused(await sign('alice', pub, priv.bob), /--my-nonce: its commitment is not the one listed under alice/);
  });

  it('through the server: a tampered stage-2 request fails with the culprit in the error', async () => {
    const alice = cosigners.get('alice')!;
    const bob = cosigners.get('bob')!;
    const carol = cosigners.get('carol')!;
    const quote = 'beef';
    const n = Object.fromEntries(
      await Promise.all(
        [alice, bob, carol].map(async (c) => [
          c.moniker,
          (await post(`http://127.0.0.1:${c.port}/get_jwt`, { quote })).nonce,
        ]),
      ),
    );
    const sigs = await post(`http://127.0.0.1:${alice.port}/get_jwt`, { quote, nonces: n });
    const bad = Buffer.from(sigs.alice, 'base64');
    bad[1] ^= 4;
    await expect(
      post(`http://127.0.0.1:${bob.port}/get_jwt`, {
        quote,
        nonces: n,
        partial_sigs: { alice: bad.toString('base64') },
      }),
    ).rejects.toThrow(
      /sss-tool failed \(code 1\): sss-tool: error: --partial-sigs: invalid signature share \(culprit: alice\)/,
    );
  });
});
