/**
 * Every `sss-tool` command starts fast: src/cli/commands.ts registers options only, and each
 * command loads its body (src/cli/<group>-run.ts) when it runs. This runs the real binary under a
 * module hook that records every module it resolves, and checks that printing help loads none of
 * the heavy libraries (each costs tens of milliseconds to load).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cleanupTempDirs, cli, tempDir } from './helpers.js';

const HEAVY = /\/node_modules\/(zod|@noble|simple-git|@octokit|age-encryption|@hpke)\//;

afterAll(cleanupTempDirs);

/** The package folders (node_modules/<name>) the real binary loads for `args`. */
function loadedPackages(args: string[]): { packages: Set<string>; urls: string[]; stdout: string } {
  const dir = tempDir('sss-startup-');
  const log = join(dir, 'loaded.txt');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  writeFileSync(log, '');
  const r = cli(args, { env: { NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}` } });
  expect(r.code, r.stderr).toBe(0);
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(urls.flatMap((u) => u.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? []));
  return { packages, urls, stdout: r.stdout };
}

describe('start-up', () => {
  for (const args of [['--help'], ['status', '--help'], ['reshare-deal', '--help'], ['doctor', '--help']])
    it(`sss-tool ${args.join(' ')} loads commander only, none of the heavy libraries`, () => {
      const { packages, urls, stdout } = loadedPackages(args);
      expect(stdout).toMatch(/^Usage: sss-tool/);
      // The hook saw the program itself: an empty log would pass the checks below vacuously.
      expect(urls.some((u) => u.endsWith('/cli/commands.js'))).toBe(true);
      expect(urls.filter((u) => HEAVY.test(u))).toEqual([]);
      expect([...packages]).toEqual(['commander']);
    });
});
