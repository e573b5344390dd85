/** `sss-tool demo`: the whole GitHub-native flow, every pull request through the bundled Action. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ROOT, cleanupTempDirs, git, tempDir } from './helpers.js';
import { okAsync } from './action-helpers.js';

afterAll(cleanupTempDirs);

it('runs a 2-of-2 ceremony: 7 pull requests validated by the Action and merged, public_info/ published once', async () => {
  const dir = join(tempDir(), 'demo');
  const r = await okAsync(['demo', '--participants', '2', '--threshold', '2', '--dir', dir, '--json']);
  const result = JSON.parse(r.stdout);
  expect(result.publicKey).toMatch(/^[0-9a-f]{64}$/);
  // The genesis part of the demo; what follows it (a join) may add runs of its own.
  const runs = readdirSync(join(dir, 'actions')).sort().slice(0, 9);
  expect(runs).toEqual([...Array.from({ length: 7 }, (_, i) => `${String(i + 1).padStart(2, '0')}-pull_request`), '08-push', '09-push']);
  for (const run of runs.filter((x) => x.endsWith('pull_request'))) expect(readFileSync(join(dir, 'actions', run, 'summary.md'), 'utf8')).toContain('✅ **Valid**');
  expect(readFileSync(join(dir, 'actions', '09-push', 'summary.md'), 'utf8')).toContain('is up to date with the transcript: nothing to publish');
  // One publish commit by the Action for the genesis; the second run added none.
  const log = git(result.repository, 'log', '--format=%an %s', 'origin/main').trim().split('\n');
  expect(log.filter((l) => l === 'github-actions[bot] Publish public_info: genesis')).toHaveLength(1);
  expect(readFileSync(join(result.repository, 'public_info', 'public_key.txt'), 'utf8')).toBe(result.publicKey + '\n');
}, 120_000);

it('signs a JWT with the newcomer among the signers, and the library example verifies one with jose', async () => {
  const dir = join(tempDir(), 'demo');
  const r = await okAsync(['demo', '--participants', '3', '--threshold', '2', '--dir', dir, '--json']);
  const result = JSON.parse(r.stdout);
  expect(result.join.publicKey).toBe(result.publicKey);
  const [header, payload, signature] = result.sign.jwt.split('.');
  expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: result.publicKey });
  expect(JSON.parse(Buffer.from(payload, 'base64url').toString()).sub).toBe('demo-machine');
  const { importJWK, jwtVerify } = await import('jose');
  const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: Buffer.from(result.publicKey, 'hex').toString('base64url') }, 'EdDSA');
  await expect(jwtVerify(result.sign.jwt, key)).resolves.toBeTruthy();
  // A tampered signature is refused by the same verifier.
  const sig = Buffer.from(signature, 'base64url');
  sig[10] ^= 1;
  const bad = `${header}.${payload}.${sig.toString('base64url')}`;
  await expect(jwtVerify(bad, key)).rejects.toThrow();
  const ex = spawnSync(process.execPath, [join(ROOT, 'examples', 'sign-jwt.mjs'), dir], { encoding: 'utf8', cwd: ROOT });
  expect(ex.status, ex.stderr).toBe(0);
  expect(ex.stdout).toMatch(/signed in [\d.]+ ms; jose verified it against public_info\/public_key.txt/);
}, 120_000);
