/**
 * Slots reserved for GitHub accounts (docs/protocol.md §14.3), through the real CLI and the offline
 * audit: `dkg-round1 --allow moniker@login` names each slot's account, a round-1 artifact declaring
 * another login is refused (by the CLI before it writes, by `verify` when forged past it), and one
 * account never takes two slots. The Action's side is test/judge.test.ts ("slots reserved…").
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, cli, git, ok, tempDir } from './helpers.js';
import { dkgStepArgs } from './support/pull-requests.js';

let root: string;
const home = (name: string) => join(root, 'homes', name);
const round1 = (ceremony: string, allow?: string) => [
  ...dkgStepArgs('round1', root, { ceremony }),
  ...(allow ? ['--allow', allow] : []),
];
/** A fresh git checkout. */
function repo(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q');
  return dir;
}

beforeAll(() => {
  root = tempDir('sss-accounts-');
  for (const [moniker, github, name] of [
    ['alice', 'alice-gh', 'alice'],
    ['bob', 'bob-gh', 'bob'],
    ['bob', 'mallory', 'mallory-as-bob'],
    ['mal2', 'mallory', 'mallory-again'],
    ['mallory', 'mallory', 'mallory'],
  ])
    ok(['initialize', '--moniker', moniker, '--github', github, '--home', home(name)]);
});

afterAll(cleanupTempDirs);

describe('dkg-round1 --allow moniker@login', () => {
  it('writes allowAccounts beside allowList, and every entry names its account or none does', () => {
    const r = repo('mixed');
    const mixed = cli([...round1('g', 'alice@alice-gh,bob'), '--home', home('alice'), '--repo', r]);
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toMatch(/--allow: write every entry as moniker@github-login, or none/);
    expect(existsSync(join(r, 'ceremonies'))).toBe(false);
    const twice = cli([...round1('g', 'alice@alice-gh,bob@Alice-GH'), '--home', home('alice'), '--repo', r]);
    expect(twice.stderr).toMatch(/allowAccounts: gives @alice-gh more than one moniker/);
    ok([...round1('g', 'alice@alice-gh,bob@bob-gh,carol@carol-gh'), '--home', home('alice'), '--repo', r]);
    const manifest = JSON.parse(readFileSync(join(r, 'ceremonies/g/ceremony.json'), 'utf8'));
    expect(manifest.allowList).toEqual(['alice', 'bob', 'carol']);
    expect(manifest.allowAccounts).toEqual({ alice: 'alice-gh', bob: 'bob-gh', carol: 'carol-gh' });
  });

  it("refuses another account's artifact under a reserved moniker: the CLI writes nothing, verify names the culprit", () => {
    const r = repo('reserved');
    ok([...round1('g', 'alice@alice-gh,bob@bob-gh,carol@carol-gh'), '--home', home('alice'), '--repo', r]);
    const refused = cli([...round1('g'), '--home', home('mallory-as-bob'), '--repo', r]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /ceremonies\/g\/ceremony\.json: github: declares @mallory, but the allow-list gives bob to @bob-gh/,
    );
    expect(existsSync(join(r, 'ceremonies/g/round1/bob.json'))).toBe(false);
    // Whose slots they are shows before they submit (the tracking issue mentions the same logins).
    const status = ok(['status', '--repo', r]).stdout;
    expect(status).toMatch(/^\s*bob\s+@bob-gh\s/m);
    expect(status).toMatch(/^\s*carol\s+@carol-gh\s/m);
    // Forged past the CLI: made against an unreserved copy of the ceremony, then put in the real one.
    const scratch = repo('scratch');
    ok([...round1('g'), '--home', home('mallory-as-bob'), '--repo', scratch]);
    cpSync(join(scratch, 'ceremonies/g/round1/bob.json'), join(r, 'ceremonies/g/round1/bob.json'));
    const audit = cli(['verify', '--ceremony', 'g', '--repo', r]);
    expect(audit.code).not.toBe(0);
    expect(audit.stdout + audit.stderr).toMatch(
      /round1\/bob\.json: github: declares @mallory, but the allow-list gives bob to @bob-gh \(culprit: bob\)/,
    );
    // bob's own identity takes the slot.
    rmSync(join(r, 'ceremonies/g/round1/bob.json'));
    ok([...round1('g'), '--home', home('bob'), '--repo', r]);
    ok(['verify', '--ceremony', 'g', '--repo', r]);
  });

  it('one account takes one slot: a second identity of the same login is refused', () => {
    const r = repo('twice');
    ok([...round1('g'), '--home', home('mallory'), '--repo', r]);
    ok([...round1('g'), '--home', home('mallory-again'), '--repo', r]);
    const audit = cli(['verify', '--ceremony', 'g', '--repo', r]);
    expect(audit.code).not.toBe(0);
    expect(audit.stdout + audit.stderr).toMatch(/GitHub login @mallory already takes part as (mal2|mallory)/);
  });
});

describe('join-open --github', () => {
  it('needs a GitHub login', () => {
    const r = cli(['join-open', '--ceremony', 'join-x', '--github', 'not a login', '--repo', repo('join')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--github: expected a GitHub login/);
  });
});
