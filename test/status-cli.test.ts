/**
 * The terminal side of a ceremony's status: `sss-tool status` prints the table and the commands
 * the awaited run next; long steps show progress on a terminal's stderr (a pseudo-terminal from
 * util-linux `script` here) and nothing extra with --json or without a terminal; a reader that
 * closes stdout early (`| head -1`) ends the program quietly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, PASSPHRASE, cleanupTempDirs, git, tempDir } from './helpers.js';
import { cliAsync, cloneOf, newOrigin, okAsync } from './action-helpers.js';
import { initializeAll } from './support/pull-requests.js';

const PEOPLE = ['alice', 'bob', 'carol'];
let root: string;
let repo: string;
const home = (p: string) => join(root, 'homes', p);

beforeAll(async () => {
  const o = newOrigin();
  root = o.root;
  repo = cloneOf(o.origin, join(root, 'repo'), 'alice');
  await initializeAll(PEOPLE, home, { github: (p) => `${p}-gh`, endpoint: false });
  await okAsync([
    'dkg-round1',
    '--threshold',
    '2',
    '--participants',
    '4',
    '--ceremony',
    'genesis',
    '--home',
    home('alice'),
    '--repo',
    repo,
  ]);
}, 60_000);

afterAll(() => cleanupTempDirs());

describe('sss-tool status', () => {
  it('prints the table, who is awaited and the commands they run next', async () => {
    const r = await okAsync(['status', '--repo', repo]);
    expect(r.stdout).toContain('Ceremony genesis (dkg, 2-of-4): round 1');
    expect(r.stdout).toMatch(/ {2}alice +@alice-gh +merged +- +-/);
    expect(r.stdout).toMatch(/ {2}\(3 more\) +- +not merged +- +-/);
    expect(r.stdout).toContain('  next: round 1 from 3 more participants');
    expect(r.stdout).toContain(
      '    git switch main\n    git pull --ff-only origin main\n    sss-tool dkg-round1 --threshold 2 --participants 4 --ceremony genesis --submit',
    );
  });

  it('--json carries the next step and the commands', async () => {
    const r = await okAsync(['status', '--repo', repo, '--json']);
    const [c] = JSON.parse(r.stdout).ceremonies;
    expect(c.next).toBe(
      'round 1 from 3 more participants; each of them runs: sss-tool dkg-round1 --threshold 2 --participants 4 --ceremony genesis --submit',
    );
    expect(c.commands).toHaveLength(3);
  });

  it('a closed stdout ends quietly, without a stack trace', async () => {
    const big = join(tempDir('sss-many-'), 'repo');
    mkdirSync(big);
    git(big, 'init', '-q');
    for (let i = 0; i < 400; i++) {
      mkdirSync(join(big, 'ceremonies', `c${i}`), { recursive: true });
      writeFileSync(
        join(big, 'ceremonies', `c${i}`, 'ceremony.json'),
        JSON.stringify({
          format: 'sss-tool/ceremony@1',
          ceremony: `c${i}`,
          kind: 'dkg',
          ciphersuite: 'FROST-ED25519-SHA512-v1',
          threshold: 2,
          participants: 3,
        }),
      );
    }
    const child = spawn(process.execPath, [BIN, 'status', '--repo', big], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Read the first chunk, then close the pipe as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('progress on stderr', () => {
  beforeAll(async () => {
    for (const p of ['bob', 'carol'])
      await okAsync([
        'dkg-round1',
        '--threshold',
        '2',
        '--participants',
        '3',
        '--ceremony',
        'small',
        '--home',
        home(p),
        '--repo',
        repo,
      ]);
    await okAsync([
      'dkg-round1',
      '--threshold',
      '2',
      '--participants',
      '3',
      '--ceremony',
      'small',
      '--home',
      home('alice'),
      '--repo',
      repo,
    ]);
  }, 60_000);

  /** Runs the CLI under a pseudo-terminal (stdout and stderr are then one stream). */
  const onTerminal = (args: string[]) =>
    spawnSync('script', ['-qec', [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, SSS_TOOL_PASSPHRASE: PASSPHRASE, SSS_TOOL_SCRYPT_LOG_N: '10' },
    });

  it('a round prints a line per phase and per participant on a terminal', () => {
    const r = onTerminal([
      'dkg-round2',
      '--commitments',
      join(repo, 'ceremonies/small/round1'),
      '--home',
      home('bob'),
      '--repo',
      repo,
    ]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('… checking the round-1 artifacts of small');
    expect(r.stdout).toContain('… encrypting the share for alice');
    expect(r.stdout).toContain('… encrypting the share for carol');
  });

  it('nothing extra with --json, or without a terminal', async () => {
    const json = onTerminal([
      'dkg-round2',
      '--commitments',
      join(repo, 'ceremonies/small/round1'),
      '--home',
      home('carol'),
      '--repo',
      repo,
      '--json',
    ]);
    expect(json.status, json.stdout).toBe(0);
    expect(json.stdout).not.toContain('…');
    const piped = await cliAsync([
      'dkg-round2',
      '--commitments',
      join(repo, 'ceremonies/small/round1'),
      '--home',
      home('alice'),
      '--repo',
      repo,
    ]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
  });
});
