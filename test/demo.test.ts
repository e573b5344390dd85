/**
 * `npm run demo` (dev/demo/, compiled into lib-dev/): the whole GitHub-native flow, every pull
 * request through the bundled Action. One run, and every act of it is checked.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, cleanupTempDirs, git, tempDir } from './helpers.js';
import { demoAsync } from './action-helpers.js';

const dir = join(tempDir(), 'demo');
let result: any;

beforeAll(async () => {
  const r = await demoAsync(['--participants', '3', '--threshold', '2', '--dir', dir, '--json']);
  if (r.code !== 0) throw new Error(`the demo failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  result = JSON.parse(r.stdout);
}, 180_000);
afterAll(cleanupTempDirs);

it('genesis: 10 pull requests validated by the Action and merged, public_info/ published once', () => {
  expect(result.publicKey).toMatch(/^[0-9a-f]{64}$/);
  // The genesis: the manifest, then 3 × (round1, round2, finalize); the join's runs are elsewhere.
  const runs = readdirSync(join(dir, 'actions')).sort();
  const pulls = Array.from({ length: 10 }, (_, i) => `${String(i + 1).padStart(2, '0')}-pull_request`);
  expect(runs).toEqual([...pulls, '11-push', '12-push']);
  for (const run of pulls)
    expect(readFileSync(join(dir, 'actions', run, 'summary.md'), 'utf8')).toContain('✅ **Valid**');
  expect(readFileSync(join(dir, 'actions', '12-push', 'summary.md'), 'utf8')).toContain(
    'is up to date with the transcript: nothing to publish',
  );
  // One publish commit by the Action for the genesis (the second run added none), one for the join.
  const log = git(result.repository, 'log', '--format=%an %s', 'origin/main').trim().split('\n');
  expect(log.filter((l) => l === 'github-actions[bot] Publish public_info: genesis')).toHaveLength(1);
  expect(
    log.filter((l) => l === `github-actions[bot] Publish public_info: genesis, ${result.join.ceremony}`),
  ).toHaveLength(1);
});

it('join: the newcomer holds a share of the same key, and public_info/ lists it', () => {
  expect(result.join.publicKey).toBe(result.publicKey);
  expect(result.join.participants).toBe(4);
  expect(readFileSync(join(result.repository, 'public_info', 'public_key.txt'), 'utf8')).toBe(result.publicKey + '\n');
  expect(readFileSync(join(result.repository, 'public_info', 'peers_list.txt'), 'utf8')).toContain(
    `${result.join.newcomer.moniker} `,
  );
});

it('sign: a JWT with the newcomer among the signers; jose verifies it, and refuses it tampered', async () => {
  const [header, payload, signature] = result.sign.jwt.split('.');
  expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
    alg: 'EdDSA',
    typ: 'JWT',
    kid: result.publicKey,
  });
  expect(JSON.parse(Buffer.from(payload, 'base64url').toString()).sub).toBe('demo-machine');
  const { importJWK, jwtVerify, errors } = await import('jose');
  const key = await importJWK(
    { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(result.publicKey, 'hex').toString('base64url') },
    'EdDSA',
  );
  await expect(jwtVerify(result.sign.jwt, key)).resolves.toBeTruthy();
  const sig = Buffer.from(signature, 'base64url');
  sig[10] ^= 1;
  await expect(jwtVerify(`${header}.${payload}.${sig.toString('base64url')}`, key)).rejects.toThrow(
    errors.JWSSignatureVerificationFailed,
  );
});

it('the library example signs in one process over the demo directory', () => {
  const ex = spawnSync(process.execPath, [join(ROOT, 'examples', 'sign-jwt.mjs'), dir], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  expect(ex.status, ex.stderr).toBe(0);
  expect(ex.stdout).toMatch(/signed in [\d.]+ ms; jose verified it against public_info\/public_key.txt/);
});
