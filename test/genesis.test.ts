/**
 * The genesis ceremony's happy path, end to end, as the README's participant's guide orders it:
 * five people, each with their own home dir and their own clone of one git repository, run
 * initialize, dkg-round1, dkg-round2 and dkg-finalize, taking the next command and the git
 * commands from what the CLI prints. Then verify, publish, and checks of everything private:
 * `age -d` opens it, it is mode 0600, and any 3 shares rebuild the secret behind public_key.txt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Point, bytesToHex, decodeScalar, frost } from '../src/crypto/suite.js';
import { homePaths } from '../src/local/home.js';
import { readShareFile, ShareFile } from '../src/local/share.js';
import { CliResult, PASSPHRASE, cleanupTempDirs, cli, git, ok, tempDir } from './helpers.js';

const CEREMONY = 'genesis';
const M = 3;
const PEOPLE = [
  { moniker: 'alice', endpoint: 'https://alice.cosigner.example', github: 'alice-gh' },
  { moniker: 'bob' },
  { moniker: 'carol', endpoint: 'https://carol.cosigner.example/sign' },
  { moniker: 'dave', github: 'dave-gh' },
  { moniker: 'erin', endpoint: 'http://erin.cosigner.example:8080' },
];
const N = PEOPLE.length;

const HAVE_AGE = spawnSync('age', ['--version']).status === 0;

/**
 * `age -d` reads a passphrase only from a terminal: run it under a pseudo-terminal (python3's pty
 * module), answer the prompt, and return the decrypted bytes.
 */
const AGE_PTY = `
import os, pty, select, sys
src, out, passphrase = sys.argv[1], sys.argv[2], sys.argv[3]
pid, fd = pty.fork()
if pid == 0:
    os.execvp('age', ['age', '-d', '-o', out, src])
seen, sent = b'', False
while True:
    r, _, _ = select.select([fd], [], [], 20)
    if not r:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    seen += data
    if not sent and b'passphrase' in seen.lower():
        os.write(fd, passphrase.encode() + b'\\n')
        sent = True
_, status = os.waitpid(pid, 0)
sys.stderr.write(seen.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;

function ageDecrypt(file: string, passphrase: string): { code: number; text?: string; tty: string } {
  const out = join(tempDir('sss-age-'), 'plain');
  const r = spawnSync('python3', ['-c', AGE_PTY, file, out, passphrase], { encoding: 'utf8', timeout: 30_000 });
  let text: string | undefined;
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    text = undefined;
  }
  return { code: r.status ?? -1, text, tty: r.stderr };
}

interface Person {
  moniker: string;
  endpoint?: string;
  github?: string;
  home: string;
  clone: string;
}

let root: string;
let origin: string;
let maintainer: string;
let people: Person[];
/** What each step printed, by step and moniker. */
const printed = new Map<string, CliResult>();
/** Round-state files as they were before finalize (which deletes them), copied aside. */
const stateFiles: { moniker: string; file: string; copy: string; mode: number }[] = [];
let statusMidRound1: CliResult;
let statusMidRound2: CliResult;

/** The command a step told the participant to run next: "…: sss-tool <args>". */
function nextCommand(out: string): string[] {
  const m = /When all \d+ [a-z0-9-]+ artifacts are merged: sss-tool (.+)$/m.exec(out);
  expect(m, `no next command in:\n${out}`).not.toBeNull();
  return m![1].split(' && ')[0].split(' ');
}

/** Publishes a step the way the CLI says: the printed `git add` (exactly the new files), commit, push. */
function publishStep(p: Person, out: string): void {
  const add = /^ {2}git -C (\S+) add (.+)$/m.exec(out);
  expect(add, `no git add in:\n${out}`).not.toBeNull();
  expect(add![1]).toBe(p.clone);
  git(p.clone, 'pull', '--ff-only', '-q', 'origin', 'main');
  git(p.clone, 'add', ...add![2].split(' '));
  git(p.clone, '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', /commit -m "([^"]+)"/.exec(out)![1]);
  git(p.clone, 'push', '-q', 'origin', 'HEAD:main');
  // Nothing else is left behind for the participant to commit by mistake.
  expect(git(p.clone, 'status', '--porcelain')).toBe('');
}

function runStep(step: string, p: Person, args: string[]): CliResult {
  const r = ok([...args, '--home', p.home], { cwd: p.clone });
  printed.set(`${step}/${p.moniker}`, r);
  publishStep(p, r.stdout);
  return r;
}

function recordState(p: Person): void {
  const dir = join(p.home, 'state', CEREMONY);
  for (const f of readdirSync(dir)) {
    const copy = join(root, 'state-copies', `${p.moniker}-${f}`);
    mkdirSync(join(root, 'state-copies'), { recursive: true });
    copyFileSync(join(dir, f), copy);
    stateFiles.push({ moniker: p.moniker, file: join(dir, f), copy, mode: statSync(join(dir, f)).mode & 0o777 });
  }
}

beforeAll(() => {
  root = tempDir('sss-genesis-');
  origin = join(root, 'origin.git');
  maintainer = join(root, 'maintainer');
  git(root, 'init', '-q', '--bare', '-b', 'main', origin);
  git(root, 'clone', '-q', origin, maintainer);
  writeFileSync(join(maintainer, 'README.md'), '# ceremony repository\n');
  git(maintainer, 'add', 'README.md');
  git(maintainer, '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'start');
  git(maintainer, 'push', '-q', 'origin', 'HEAD:main');
  people = PEOPLE.map((p) => {
    const dir = join(root, 'people', p.moniker);
    mkdirSync(dir, { recursive: true });
    git(dir, 'clone', '-q', origin, 'repo');
    return { ...p, home: join(dir, 'home'), clone: join(dir, 'repo') };
  });

  // 1. Initialize.
  for (const p of people)
    ok(
      [
        'initialize',
        '--moniker',
        p.moniker,
        ...(p.github ? ['--github', p.github] : []),
        ...(p.endpoint ? ['--endpoint', p.endpoint] : []),
        '--home',
        p.home,
      ],
      { cwd: p.clone },
    );

  // 2. Round 1, each in their own checkout; status when three of five are in.
  for (const [i, p] of people.entries()) {
    git(p.clone, 'pull', '-q', '--ff-only', 'origin', 'main');
    runStep('round1', p, ['dkg-round1', '--threshold', String(M), '--participants', String(N), '--ceremony', CEREMONY]);
    if (i === 2) statusMidRound1 = ok(['status'], { cwd: p.clone });
  }

  // 3. Round 2, with the command round 1 printed; status when three of five are in.
  for (const [i, p] of people.entries()) {
    git(p.clone, 'pull', '-q', '--ff-only', 'origin', 'main');
    runStep('round2', p, nextCommand(printed.get(`round1/${p.moniker}`)!.stdout));
    if (i === 2) statusMidRound2 = ok(['status'], { cwd: p.clone });
  }
  for (const p of people) recordState(p);

  // 4. Finalize, with the command round 2 printed.
  for (const p of people) {
    git(p.clone, 'pull', '-q', '--ff-only', 'origin', 'main');
    runStep('finalize', p, nextCommand(printed.get(`round2/${p.moniker}`)!.stdout));
  }
  git(maintainer, 'pull', '-q', '--ff-only', 'origin', 'main');
});

afterAll(() => cleanupTempDirs());

describe('genesis ceremony, 3-of-5, five homes and five clones', () => {
  it('each step printed the next one as the guide orders it', () => {
    for (const p of people) {
      expect(nextCommand(printed.get(`round1/${p.moniker}`)!.stdout)).toEqual([
        'dkg-round2',
        '--commitments',
        `ceremonies/${CEREMONY}/round1`,
      ]);
      expect(nextCommand(printed.get(`round2/${p.moniker}`)!.stdout)).toEqual([
        'dkg-finalize',
        '--shares',
        `ceremonies/${CEREMONY}/round2`,
      ]);
      expect(nextCommand(printed.get(`finalize/${p.moniker}`)!.stdout)).toEqual(['verify', '--ceremony', CEREMONY]);
    }
  });

  it('status shows the round table mid-ceremony and who is awaited', () => {
    const r1 = statusMidRound1.stdout;
    expect(r1).toContain(`Ceremony ${CEREMONY} (dkg, 3-of-5): round1`);
    expect(r1).toMatch(/participant\s+round1\s+round2\s+finalize/);
    for (const m of ['alice', 'bob', 'carol']) expect(r1).toMatch(new RegExp(`^\\s+${m}\\s+done\\s+-\\s+-\\s*$`, 'm'));
    expect(r1).toContain('awaiting: round 1 from 2 more participants');

    const r2 = statusMidRound2.stdout;
    expect(r2).toContain(`Ceremony ${CEREMONY} (dkg, 3-of-5): round2`);
    for (const m of ['alice', 'bob', 'carol'])
      expect(r2).toMatch(new RegExp(`^\\s+${m}\\s+done\\s+done\\s+-\\s*$`, 'm'));
    for (const m of ['dave', 'erin']) expect(r2).toMatch(new RegExp(`^\\s+${m}\\s+done\\s+awaited\\s+-\\s*$`, 'm'));
    expect(r2).toContain('awaiting: round 2 from dave, erin');
  });

  it('everyone ends with the same group key, and verify --ceremony exits 0 printing it', () => {
    const keys = people.map((p) => readFileSync(homePaths(p.home).publicKey, 'utf8'));
    expect(new Set(keys).size).toBe(1);
    const key = keys[0].trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    for (const p of people) expect(printed.get(`finalize/${p.moniker}`)!.stdout).toContain(`group public key  ${key}`);
    const v = cli(['verify', '--ceremony', CEREMONY, '--require-complete'], { cwd: maintainer });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toBe('');
    expect(v.stdout).toContain(`Valid and complete. Group public key: ${key}`);
  });

  it('publish writes public_info/, and publish --check passes, then fails after a hand edit', () => {
    const key = readFileSync(homePaths(people[0].home).publicKey, 'utf8').trim();
    ok(['publish', '--ceremony', CEREMONY], { cwd: maintainer });
    const dir = join(maintainer, 'public_info');
    expect(readFileSync(join(dir, 'public_key.txt'), 'utf8')).toBe(`${key}\n`);
    expect(readFileSync(join(dir, 'public_key.txt'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const peers = readFileSync(join(dir, 'peers_list.txt'), 'utf8');
    const expected = [...PEOPLE]
      .sort((a, b) => (a.moniker < b.moniker ? -1 : 1))
      .map((p) => `${p.moniker} ${p.endpoint ?? '-'}\n`)
      .join('');
    expect(peers).toBe(expected);
    const group = JSON.parse(readFileSync(join(dir, 'group.json'), 'utf8'));
    expect(group).toMatchObject({
      format: 'sss-tool/group@1',
      ciphersuite: 'FROST-ED25519-SHA512-v1',
      publicKey: key,
      threshold: M,
    });
    expect(group.commitment).toHaveLength(M);
    expect(group.commitment[0]).toBe(key);
    expect(group.participants.map((x: { moniker: string }) => x.moniker)).toEqual(PEOPLE.map((p) => p.moniker).sort());
    for (const p of PEOPLE) {
      const entry = group.participants.find((x: { moniker: string }) => x.moniker === p.moniker);
      expect(entry.github).toBe(p.github);
      expect(entry.endpoint).toBe(p.endpoint);
      expect(entry.ceremony).toBe(CEREMONY);
    }

    const check = cli(['publish', '--ceremony', CEREMONY, '--check'], { cwd: maintainer });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('public_info/ matches the transcript');

    const original = readFileSync(join(dir, 'peers_list.txt'), 'utf8');
    writeFileSync(join(dir, 'peers_list.txt'), original.replace('bob -', 'bob https://evil.example'));
    const stale = cli(['publish', '--ceremony', CEREMONY, '--check'], { cwd: maintainer });
    expect(stale.code).not.toBe(0);
    expect(stale.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stale.stderr).toContain('public_info differs from the transcript: peers_list.txt');
    // --check writes nothing: the hand edit is still there.
    expect(readFileSync(join(dir, 'peers_list.txt'), 'utf8')).not.toBe(original);
    writeFileSync(join(dir, 'peers_list.txt'), original);
    const key2 = readFileSync(join(dir, 'public_key.txt'), 'utf8');
    writeFileSync(join(dir, 'public_key.txt'), key2.toUpperCase());
    expect(cli(['publish', '--ceremony', CEREMONY, '--check'], { cwd: maintainer }).stderr).toContain('public_key.txt');
    writeFileSync(join(dir, 'public_key.txt'), key2);
    expect(cli(['publish', '--ceremony', CEREMONY, '--check'], { cwd: maintainer }).code).toBe(0);
  });

  it('private files are mode 0600 and the round state is gone after finalize', () => {
    expect(stateFiles).toHaveLength(N);
    for (const s of stateFiles) expect(s.mode, s.file).toBe(0o600);
    for (const p of people) {
      const paths = homePaths(p.home);
      for (const f of [paths.share, paths.identitySecret]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
      expect(existsSync(join(p.home, 'state', CEREMONY))).toBe(false);
      const files = readdirSync(p.home).filter((f) => statSync(join(p.home, f)).isFile());
      expect(files.sort()).toEqual([
        'identity.age',
        'identity.json',
        'trustserver_public_key.pub',
        'trustserver_share.json.age',
      ]);
    }
  });

  it.skipIf(!HAVE_AGE)(
    `every share, identity and round-state file opens with Debian's age -d and the passphrase${HAVE_AGE ? '' : ' (SKIPPED: the age binary is not installed)'}`,
    () => {
      for (const p of people) {
        const share = ageDecrypt(homePaths(p.home).share, PASSPHRASE);
        expect(share.code, share.tty).toBe(0);
        expect(JSON.parse(share.text!)).toMatchObject({
          format: 'sss-tool/share@1',
          ceremony: CEREMONY,
          moniker: p.moniker,
        });
        const id = ageDecrypt(homePaths(p.home).identitySecret, PASSPHRASE);
        expect(id.code, id.tty).toBe(0);
        expect(JSON.parse(id.text!)).toMatchObject({ format: 'sss-tool/identity-secret@1', moniker: p.moniker });
      }
      // The round state was deleted at finalize: its copies from before finalize.
      expect(stateFiles).toHaveLength(N);
      for (const s of stateFiles) {
        const state = ageDecrypt(s.copy, PASSPHRASE);
        expect(state.code, state.tty).toBe(0);
        expect(JSON.parse(state.text!)).toMatchObject({
          format: 'sss-tool/dkg-state@1',
          ceremony: CEREMONY,
          moniker: s.moniker,
        });
      }
      const wrong = ageDecrypt(homePaths(people[0].home).share, 'not the passphrase');
      expect(wrong.code).not.toBe(0);
      expect(wrong.text ?? '').toBe('');
    },
  );

  it('any 3 shares rebuild the secret whose public key is public_key.txt (test-only reconstruction)', async () => {
    const key = readFileSync(join(maintainer, 'public_info', 'public_key.txt'), 'utf8').trim();
    const shares: ShareFile[] = [];
    for (const p of people) shares.push(await readShareFile(homePaths(p.home).share, PASSPHRASE));
    for (const s of shares) expect(s.group.publicKey).toBe(key);
    const subsets: ShareFile[][] = [];
    for (let a = 0; a < N; a++)
      for (let b = a + 1; b < N; b++) for (let c = b + 1; c < N; c++) subsets.push([shares[a], shares[b], shares[c]]);
    expect(subsets).toHaveLength(10);
    for (const set of subsets) {
      const secret = frost.combineSecret(
        set.map((s) => ({ identifier: s.identifier, signingShare: Buffer.from(s.signingShare, 'hex') })),
        { min: M, max: N },
      );
      expect(bytesToHex(Point.BASE.multiply(decodeScalar(bytesToHex(secret), 'secret')).toBytes())).toBe(key);
    }
    // Two shares are not enough: they interpolate to something else.
    const two = shares
      .slice(0, 2)
      .map((s) => ({ identifier: s.identifier, signingShare: Buffer.from(s.signingShare, 'hex') }));
    expect(() => frost.combineSecret(two, { min: M, max: N })).toThrow('wrong secret shares array');
    const line = frost.combineSecret(two, { min: 2, max: N });
    expect(bytesToHex(Point.BASE.multiply(decodeScalar(bytesToHex(line), 'secret')).toBytes())).not.toBe(key);
    // And a signature made with the rebuilt key verifies as plain Ed25519 under public_key.txt.
    const secret = frost.combineSecret(
      subsets[7].map((s) => ({ identifier: s.identifier, signingShare: Buffer.from(s.signingShare, 'hex') })),
      { min: M, max: N },
    );
    const msg = new TextEncoder().encode('genesis test');
    expect(frost.verify(frost.sign(msg, secret), msg, Buffer.from(key, 'hex'))).toBe(true);
  });
});
