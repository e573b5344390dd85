/** `sss-tool demo`: the whole GitHub-native flow, every pull request through the bundled Action. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cleanupTempDirs, git, tempDir } from './helpers.js';
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
