/**
 * The genesis commands against bad input, end to end through the real CLI binary. One 2-of-3
 * ceremony (alice, bob, carol) is built once, after round 1 and after round 2; each case copies
 * it, tampers with it programmatically (re-signing with the author's own key where the target is
 * a check behind the signature), runs a command and asserts: a non-zero exit, one line on stderr
 * naming the file, the field and the culprit, and not a byte written or lost anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { signArtifact, toFileText } from '../src/artifacts/canonical.js';
import { dkgRound1 } from '../src/crypto/dkg.js';
import { hpkeInfo, seal } from '../src/crypto/hpke.js';
import { Fn, ORDER, Point, bytesToHex, decodeScalar, encodePoint, frost, hexToBytes } from '../src/crypto/suite.js';
import { homePaths } from '../src/local/home.js';
import { Identity, openIdentity } from '../src/local/identity.js';
import { readShareFile, saveShareFile, ShareFile } from '../src/local/share.js';
import { CliResult, PASSPHRASE, cleanupTempDirs, cli, ok, tempDir } from './helpers.js';
import { copyGenesis, initializedGroup, runGenesisSteps } from './support/genesis.js';

const CEREMONY = 'c1';
const MONIKERS = ['alice', 'bob', 'carol'] as const;
type Moniker = (typeof MONIKERS)[number] | string;
const SHARE_LABEL = 'sss-tool/v1 dkg-share';

/** A copy of the fixture: a repository checkout and one home dir per participant. */
interface World {
  root: string;
  repo: string;
  home(m: Moniker): string;
  path(role: string, m: Moniker): string;
  rel(role: string, m: Moniker): string;
}

function world(root: string): World {
  const repo = join(root, 'repo');
  return {
    root,
    repo,
    home: (m) => join(root, 'homes', m),
    path: (role, m) => join(repo, 'ceremonies', CEREMONY, role, `${m}.json`),
    rel: (role, m) => `ceremonies/${CEREMONY}/${role}/${m}.json`,
  };
}

/** Runs the CLI as participant m of world w. */
function run(w: World, m: Moniker, args: string[], env: Record<string, string> = {}): CliResult {
  return cli([...args, '--home', w.home(m), '--repo', w.repo], { cwd: w.repo, env });
}
const round1Dir = (w: World) => join(w.repo, 'ceremonies', CEREMONY, 'round1');
const round2Dir = (w: World) => join(w.repo, 'ceremonies', CEREMONY, 'round2');
const round2 = (w: World, m: Moniker) => run(w, m, ['dkg-round2', '--commitments', round1Dir(w)]);
const finalize = (w: World, m: Moniker, extra: string[] = []) =>
  run(w, m, ['dkg-finalize', '--shares', round2Dir(w), ...extra]);

/** Every file under dir: relative path -> mode and bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out.set(relative(dir, p) + '/', 'dir');
        walk(p);
      } else out.set(relative(dir, p), `${(st.mode & 0o777).toString(8)} ${readFileSync(p).toString('base64')}`);
    }
  };
  walk(dir);
  return out;
}

interface Want {
  code?: number;
  file?: string;
  field?: string;
  culprit?: string;
  reason?: RegExp;
}

/** Non-zero exit, exactly one line on stderr naming file, field and culprit. */
function expectRefusal(r: CliResult, want: Want): string {
  expect(r.code, `expected a failure, got stdout:\n${r.stdout}`).not.toBe(0);
  if (want.code !== undefined) expect(r.code).toBe(want.code);
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  const line = lines[0];
  expect(line).toMatch(/^sss-tool: error: /);
  if (want.file && want.field) expect(line).toContain(`${want.file}: ${want.field}: `);
  else if (want.file) expect(line).toContain(`${want.file}: `);
  else if (want.field) expect(line).toContain(`${want.field}: `);
  if (want.culprit) expect(line).toContain(`(culprit: ${want.culprit})`);
  if (want.reason) expect(line).toMatch(want.reason);
  return line;
}

/** Runs a command that must be refused, and checks nothing in the world changed. */
function refused(w: World, m: Moniker, args: string[], want: Want, env: Record<string, string> = {}): string {
  const before = snapshot(w.root);
  const r = run(w, m, args, env);
  const line = expectRefusal(r, want);
  expect(snapshot(w.root)).toEqual(before);
  return line;
}

let stageRound1: string;
let stageRound2: string;
const identities = new Map<string, Identity>();

function copyOf(stage: string): World {
  const root = tempDir('sss-dkg-case-');
  cpSync(stage, root, { recursive: true });
  return world(root);
}

/** m's identity keys (every copy of the fixture has the same homes, so one opening serves all). */
async function identity(w: World, m: Moniker): Promise<Identity> {
  if (!identities.has(m)) identities.set(m, await openIdentity(homePaths(w.home(m)), PASSPHRASE));
  return identities.get(m)!;
}

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, any>;
const writeJson = (p: string, v: unknown) => writeFileSync(p, toFileText(v));

/** Edits participant m's artifact of a role, then signs it again with m's own key. */
async function tamper(
  w: World,
  role: string,
  m: Moniker,
  edit: (a: Record<string, any>) => void,
  signer: Moniker = m,
): Promise<void> {
  const a = readJson(w.path(role, m));
  edit(a);
  delete a.signature;
  writeJson(w.path(role, m), signArtifact(a, (await identity(w, signer)).signingSecret));
}

const le32 = (n: bigint) => {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) b[i] = Number(n & 0xffn);
  return bytesToHex(b);
};
const decodes = (hex: string) => {
  try {
    Point.fromHex(hex);
    return true;
  } catch {
    return false;
  }
};
/** Bad commitment points, each made by code: the decoder decides what is on the curve. */
const BAD_POINTS: [string, () => string, RegExp][] = [
  [
    'not on the curve',
    () => le32([...Array(100).keys()].map(BigInt).find((y) => y > 1n && !decodes(le32(y)))!),
    /not a valid Ed25519 point/,
  ],
  [
    'a non-canonical encoding (y + p)',
    () => {
      const y = [...Array(19).keys()]
        .map(BigInt)
        .find((y) => y > 1n && decodes(le32(y)) && !Point.fromHex(le32(y)).isSmallOrder())!;
      return le32(y + 2n ** 255n - 19n);
    },
    /not a valid Ed25519 point|non-canonical/,
  ],
  ['the identity', () => encodePoint(Point.ZERO), /identity/],
  ['a point of small order', () => encodePoint(Point.fromHex(ED25519_TORSION_SUBGROUP[3])), /small order/],
];

beforeAll(() => {
  stageRound1 = tempDir('sss-dkg-stage1-');
  const g = initializedGroup(stageRound1, { monikers: MONIKERS, threshold: 2, ceremony: CEREMONY });
  runGenesisSteps(g, 'round1');
  const g2 = copyGenesis(g, 'sss-dkg-stage2-');
  runGenesisSteps(g2, 'round2');
  stageRound2 = g2.root;
});

afterAll(() => cleanupTempDirs());

describe('dkg-round2 refuses bad round-1 artifacts, naming file, field and culprit, writing nothing', () => {
  it('malformed JSON', () => {
    const w = copyOf(stageRound1);
    writeFileSync(w.path('round1', 'bob'), readFileSync(w.path('round1', 'bob'), 'utf8').slice(0, 100));
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      reason: /malformed JSON/,
    });
  });

  it('a malformed ceremony.json is reported as malformed, not as missing', () => {
    const w = copyOf(stageRound1);
    writeFileSync(join(w.repo, 'ceremonies', CEREMONY, 'ceremony.json'), '{"format": "sss-tool/ceremony@1",');
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: `ceremonies/${CEREMONY}/ceremony.json`,
      reason: /malformed JSON/,
    });
  });

  it('an unknown format', async () => {
    const w = copyOf(stageRound1);
    await tamper(w, 'round1', 'bob', (a) => (a.format = 'sss-tool/dkg-round1@2'));
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'format',
      reason: /unknown format "sss-tool\/dkg-round1@2"/,
    });
  });

  it('an unknown field', async () => {
    const w = copyOf(stageRound1);
    await tamper(w, 'round1', 'bob', (a) => (a.comment = 'hello'));
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      reason: /unknown field "comment"/,
    });
  });

  it('a wrong ceremony id names the artifact that carries it, even when it is read first', async () => {
    const w = copyOf(stageRound1);
    await tamper(w, 'round1', 'alice', (a) => (a.ceremony = 'c2'));
    refused(w, 'bob', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'alice'),
      field: 'ceremony',
      culprit: 'alice',
      reason: /ceremony c2/,
    });
  });

  it('M or N disagreeing with the ceremony (re-signed by its author)', async () => {
    const w = copyOf(stageRound1);
    await tamper(w, 'round1', 'bob', (a) => (a.threshold = 3));
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'threshold',
      culprit: 'bob',
      reason: /disagree/,
    });
    await tamper(w, 'round1', 'bob', (a) => {
      a.threshold = 2;
      a.participants = 4;
    });
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'participants',
      culprit: 'bob',
      reason: /disagree/,
    });
  });

  it('M > N in a hand-edited ceremony.json', () => {
    const w = copyOf(stageRound1);
    const p = join(w.repo, 'ceremonies', CEREMONY, 'ceremony.json');
    writeJson(p, { ...readJson(p), threshold: 4 });
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: `ceremonies/${CEREMONY}/ceremony.json`,
      field: 'threshold',
      reason: /exceeds/,
    });
  });

  it("an identifier that is not the one derived from the moniker (here: another participant's)", async () => {
    const w = copyOf(stageRound1);
    const aliceId = readJson(w.path('round1', 'alice')).identifier;
    await tamper(w, 'round1', 'bob', (a) => (a.identifier = aliceId));
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'identifier',
      culprit: 'bob',
      reason: /derived from the moniker/,
    });
  });

  it.each(BAD_POINTS)('a commitment point that is %s (re-signed)', async (_name, make, reason) => {
    const w = copyOf(stageRound1);
    await tamper(w, 'round1', 'bob', (a) => (a.commitment[1] = make()));
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'commitment.1',
      culprit: 'bob',
      reason,
    });
  });

  it('a non-canonical scalar: proof of knowledge z + order (re-signed)', async () => {
    const w = copyOf(stageRound1);
    await tamper(w, 'round1', 'bob', (a) => {
      const z = decodeScalar(a.proofOfKnowledge.slice(64), 'z');
      a.proofOfKnowledge = a.proofOfKnowledge.slice(0, 64) + le32(z + ORDER);
    });
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'proofOfKnowledge',
      culprit: 'bob',
      reason: /non-canonical scalar/,
    });
  });

  it('a bad proof of knowledge (re-signed)', async () => {
    const w = copyOf(stageRound1);
    await tamper(w, 'round1', 'bob', (a) => {
      const z = decodeScalar(a.proofOfKnowledge.slice(64), 'z');
      a.proofOfKnowledge = a.proofOfKnowledge.slice(0, 64) + bytesToHex(Fn.toBytes(Fn.add(z, 1n)));
    });
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'proofOfKnowledge',
      culprit: 'bob',
      reason: /invalid proof of knowledge/,
    });
  });

  it('a proof of knowledge copied from another participant (re-signed)', async () => {
    const w = copyOf(stageRound1);
    const alice = readJson(w.path('round1', 'alice'));
    await tamper(w, 'round1', 'bob', (a) => {
      a.commitment = alice.commitment;
      a.proofOfKnowledge = alice.proofOfKnowledge;
    });
    refused(w, 'carol', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'proofOfKnowledge',
      culprit: 'bob',
      reason: /invalid proof of knowledge/,
    });
  });

  it('a bad artifact signature', () => {
    const w = copyOf(stageRound1);
    const a = readJson(w.path('round1', 'bob'));
    a.commitment[0] = readJson(w.path('round1', 'carol')).commitment[0];
    writeJson(w.path('round1', 'bob'), a);
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'signature',
      culprit: 'bob',
      reason: /bad artifact signature/,
    });
  });

  it("an artifact signed by someone else's key", async () => {
    const w = copyOf(stageRound1);
    await tamper(w, 'round1', 'bob', () => {}, 'carol');
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: w.rel('round1', 'bob'),
      field: 'signature',
      culprit: 'bob',
    });
  });

  it('a missing participant: N-1 round-1 artifacts, as a folder or as files', () => {
    const w = copyOf(stageRound1);
    rmSync(w.path('round1', 'carol'));
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      field: '--commitments',
      reason: /round 1 is not closed: 2 of 3/,
    });
    refused(w, 'alice', ['dkg-round2', '--commitments', w.path('round1', 'alice'), w.path('round1', 'bob')], {
      field: '--commitments',
      reason: /round 1 is not closed: 2 of 3/,
    });
  });

  it('an extra participant: N+1 round-1 artifacts', () => {
    const w = copyOf(stageRound1);
    // dave publishes while there is room (carol's file not merged yet in his checkout)…
    const daves = copyOf(stageRound1);
    ok(['initialize', '--moniker', 'dave', '--home', daves.home('dave')]);
    rmSync(daves.path('round1', 'carol'));
    expect(
      run(daves, 'dave', ['dkg-round1', '--threshold', '2', '--participants', '3', '--ceremony', CEREMONY]).code,
    ).toBe(0);
    // …and both his artifact and carol's are merged.
    cpSync(daves.path('round1', 'dave'), w.path('round1', 'dave'));
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      file: `ceremonies/${CEREMONY}/ceremony.json`,
      field: 'participants',
      reason: /4 participants published round 1 but the ceremony has 3/,
    });
  });

  it('a wrong passphrase: exit 1, "wrong passphrase", nothing written', () => {
    const w = copyOf(stageRound1);
    const line = refused(
      w,
      'alice',
      ['dkg-round2', '--commitments', round1Dir(w)],
      { code: 1, reason: /wrong passphrase/ },
      { SSS_TOOL_PASSPHRASE: 'not the passphrase' },
    );
    expect(line).toContain('state/c1/dkg.age');
    // Round 1 of a new ceremony: no state, no ceremony.json, no artifact.
    refused(
      w,
      'alice',
      ['dkg-round1', '--threshold', '2', '--participants', '3', '--ceremony', 'c2'],
      { code: 1, file: 'identity.age', reason: /wrong passphrase/ },
      { SSS_TOOL_PASSPHRASE: 'nope' },
    );
  });
});

describe('dkg-round1 refuses bad parameters and a second identity under a taken moniker', () => {
  const round1 = (t: string, n: string, c = 'c2') => [
    'dkg-round1',
    '--threshold',
    t,
    '--participants',
    n,
    '--ceremony',
    c,
  ];

  it('M > N, M < 2, N > 1000, a bad ceremony id: nothing written', () => {
    const w = copyOf(stageRound1);
    refused(w, 'alice', round1('4', '3'), { field: 'threshold', reason: /threshold 4 exceeds participants 3/ });
    refused(w, 'alice', round1('1', '3'), { field: 'threshold', reason: /at least 2/ });
    refused(w, 'alice', round1('0', '3'), { field: 'threshold' });
    refused(w, 'alice', round1('2', '1001'), { field: 'participants', reason: /from 2 to 1000/ });
    refused(w, 'alice', round1('2', '1'), { field: 'participants' });
    refused(w, 'alice', round1('2', '3', 'Bad!'), { field: '--ceremony' });
    expect(existsSync(join(w.repo, 'ceremonies', 'c2'))).toBe(false);
  });

  it("M or N disagreeing with the ceremony's ceremony.json", () => {
    const w = copyOf(stageRound1);
    ok(['initialize', '--moniker', 'dave', '--home', w.home('dave')]);
    refused(w, 'dave', round1('3', '3', CEREMONY), {
      file: `ceremonies/${CEREMONY}/ceremony.json`,
      field: 'threshold',
      reason: /disagrees/,
    });
    refused(w, 'dave', round1('2', '4', CEREMONY), {
      file: `ceremonies/${CEREMONY}/ceremony.json`,
      field: 'participants',
      reason: /disagrees/,
    });
  });

  it('a ceremony that already has all N round-1 artifacts takes no N+1st', () => {
    const w = copyOf(stageRound1);
    ok(['initialize', '--moniker', 'dave', '--home', w.home('dave')]);
    refused(w, 'dave', round1('2', '3', CEREMONY), {
      file: `ceremonies/${CEREMONY}/round1`,
      field: 'participants',
      reason: /already has all 3 round-1 artifacts/,
    });
    expect(existsSync(join(w.home('dave'), 'state'))).toBe(false);
  });

  it('an allow-list: its creator must be on it, and a moniker not on it is refused', () => {
    const w = copyOf(stageRound1);
    refused(
      w,
      'alice',
      ['dkg-round1', '--threshold', '2', '--participants', '2', '--ceremony', 'c3', '--allow', 'bob,carol'],
      { field: '--allow', reason: /does not include you \(alice\)/ },
    );
    expect(existsSync(join(w.repo, 'ceremonies', 'c3'))).toBe(false);
    ok([
      'dkg-round1',
      '--threshold',
      '2',
      '--participants',
      '2',
      '--ceremony',
      'c3',
      '--allow',
      'alice,bob',
      '--home',
      w.home('alice'),
      '--repo',
      w.repo,
    ]);
    refused(w, 'carol', ['dkg-round1', '--threshold', '2', '--participants', '2', '--ceremony', 'c3'], {
      file: 'ceremonies/c3/ceremony.json',
      field: 'allowList',
      reason: /carol is not on the ceremony's allow-list/,
    });
  });

  it("a duplicate moniker: a second home named alice lands on alice's file name and is refused", () => {
    const w = copyOf(stageRound1);
    ok(['initialize', '--moniker', 'alice', '--home', w.home('alice-again')]);
    refused(w, 'alice-again', round1('2', '3', CEREMONY), {
      file: w.rel('round1', 'alice'),
      reason: /no round-1 state/,
    });
    expect(existsSync(join(w.home('alice-again'), 'state'))).toBe(false);
  });
});

describe('re-running a step', () => {
  it('dkg-round1 twice: the same artifact and the same state, never a second polynomial', () => {
    const w = copyOf(stageRound1);
    const before = snapshot(w.root);
    const r = run(w, 'alice', ['dkg-round1', '--threshold', '2', '--participants', '3', '--ceremony', CEREMONY]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already done/);
    expect(snapshot(w.root)).toEqual(before);
  });

  it('dkg-round1 again from a checkout without the ceremony re-publishes the same artifact, and refuses other M/N', () => {
    const w = copyOf(stageRound1);
    const artifact = readFileSync(w.path('round1', 'alice'), 'utf8');
    const state = readFileSync(join(w.home('alice'), 'state', CEREMONY, 'dkg.age'));
    rmSync(join(w.repo, 'ceremonies'), { recursive: true });
    refused(w, 'alice', ['dkg-round1', '--threshold', '3', '--participants', '3', '--ceremony', CEREMONY], {
      field: 'threshold',
      reason: /2-of-3/,
    });
    refused(w, 'alice', ['dkg-round1', '--threshold', '2', '--participants', '4', '--ceremony', CEREMONY], {
      field: 'participants',
      reason: /2-of-3/,
    });
    ok([
      'dkg-round1',
      '--threshold',
      '2',
      '--participants',
      '3',
      '--ceremony',
      CEREMONY,
      '--home',
      w.home('alice'),
      '--repo',
      w.repo,
    ]);
    expect(readFileSync(w.path('round1', 'alice'), 'utf8')).toBe(artifact);
    expect(readFileSync(join(w.home('alice'), 'state', CEREMONY, 'dkg.age'))).toEqual(state);
  });

  it('dkg-round2 twice: the identical artifact', () => {
    const w = copyOf(stageRound2);
    const before = snapshot(w.root);
    const r = round2(w, 'alice');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already done/);
    expect(snapshot(w.root)).toEqual(before);
  });

  it("dkg-round2 after someone's round-1 artifact changed: a clear refusal", async () => {
    const w = copyOf(stageRound2);
    // bob equivocates: a second polynomial under his own, valid signature.
    const { pkg } = dkgRound1(readJson(w.path('round1', 'bob')).identifier, { min: 2, max: 3 });
    await tamper(w, 'round1', 'bob', (a) => {
      a.commitment = pkg.commitment;
      a.proofOfKnowledge = pkg.proofOfKnowledge;
    });
    refused(w, 'alice', ['dkg-round2', '--commitments', round1Dir(w)], {
      field: 'round1Digest',
      culprit: 'bob',
      reason: /already ran round 2 over a different set of round-1 artifacts/,
    });
  });

  it('dkg-finalize twice: the same artifact, the share untouched', () => {
    const w = copyOf(stageRound2);
    ok(['dkg-finalize', '--shares', round2Dir(w), '--home', w.home('alice'), '--repo', w.repo]);
    const before = snapshot(w.root);
    const r = finalize(w, 'alice');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Already finalized/);
    expect(snapshot(w.root)).toEqual(before);
  });
});

describe('dkg-finalize refuses bad round-2 artifacts, naming the dealer, writing nothing', () => {
  /** bob's round 2 with the share for alice replaced by an encryption of `value`, re-signed by bob. */
  async function badShareFromBob(w: World, value: Uint8Array): Promise<void> {
    const alice = readJson(w.path('round1', 'alice'));
    const bob = readJson(w.path('round1', 'bob'));
    const sealed = await seal(
      hexToBytes(alice.encryptionKey),
      hpkeInfo(SHARE_LABEL, CEREMONY, bob.identifier, alice.identifier),
      value,
    );
    await tamper(w, 'round2', 'bob', (a) => {
      const s = a.shares.find((x: { recipient: string }) => x.recipient === 'alice');
      s.enc = bytesToHex(sealed.enc);
      s.ciphertext = bytesToHex(sealed.ciphertext);
    });
  }

  it("a share that does not match its dealer's commitment (a wrong polynomial value)", async () => {
    const w = copyOf(stageRound2);
    await badShareFromBob(
      w,
      Fn.toBytes(Fn.create(BigInt('0x' + bytesToHex(crypto.getRandomValues(new Uint8Array(32)))))),
    );
    refused(w, 'alice', ['dkg-finalize', '--shares', round2Dir(w)], {
      file: w.rel('round2', 'bob'),
      field: 'shares',
      culprit: 'bob',
      reason: /does not match its dealer's commitment/,
    });
    // carol's shares are fine: she finalizes.
    expect(finalize(w, 'carol').code).toBe(0);
  });

  it('a zero share names its dealer too', async () => {
    const w = copyOf(stageRound2);
    await badShareFromBob(w, new Uint8Array(32));
    refused(w, 'alice', ['dkg-finalize', '--shares', round2Dir(w)], {
      file: w.rel('round2', 'bob'),
      field: 'shares',
      culprit: 'bob',
      reason: /does not match its dealer's commitment/,
    });
  });

  it('a share that is not a canonical scalar', async () => {
    const w = copyOf(stageRound2);
    await badShareFromBob(w, hexToBytes(le32(ORDER)));
    refused(w, 'alice', ['dkg-finalize', '--shares', round2Dir(w)], {
      file: w.rel('round2', 'bob'),
      culprit: 'bob',
      reason: /non-canonical scalar/,
    });
  });

  it('a share encrypted for another ceremony does not decrypt', async () => {
    const w = copyOf(stageRound2);
    const alice = readJson(w.path('round1', 'alice'));
    const bob = readJson(w.path('round1', 'bob'));
    const sealed = await seal(
      hexToBytes(alice.encryptionKey),
      hpkeInfo(SHARE_LABEL, 'other', bob.identifier, alice.identifier),
      Fn.toBytes(1n),
    );
    await tamper(w, 'round2', 'bob', (a) => {
      const s = a.shares.find((x: { recipient: string }) => x.recipient === 'alice');
      s.enc = bytesToHex(sealed.enc);
      s.ciphertext = bytesToHex(sealed.ciphertext);
    });
    refused(w, 'alice', ['dkg-finalize', '--shares', round2Dir(w)], {
      file: w.rel('round2', 'bob'),
      culprit: 'bob',
      reason: /does not decrypt/,
    });
  });

  it('a round-1 digest that differs from the merged round-1 set: finalize and verify name the author', async () => {
    const w = copyOf(stageRound2);
    await tamper(w, 'round2', 'bob', (a) => (a.round1Digest = bytesToHex(Fn.toBytes(7n))));
    refused(w, 'alice', ['dkg-finalize', '--shares', round2Dir(w)], {
      file: w.rel('round2', 'bob'),
      field: 'round1Digest',
      culprit: 'bob',
      reason: /round1Digest differs/,
    });
    const r = cli(['verify', '--ceremony', CEREMONY, '--repo', w.repo]);
    expectRefusal(r, {
      file: w.rel('round2', 'bob'),
      field: 'round1Digest',
      culprit: 'bob',
      reason: /ceremony c1 is invalid/,
    });
  });

  it('a round-2 artifact whose author is not its signer', async () => {
    const w = copyOf(stageRound2);
    await tamper(w, 'round2', 'bob', () => {}, 'carol');
    refused(w, 'alice', ['dkg-finalize', '--shares', round2Dir(w)], {
      file: w.rel('round2', 'bob'),
      field: 'signature',
      culprit: 'bob',
    });
  });

  it('a missing round-2 artifact', () => {
    const w = copyOf(stageRound2);
    rmSync(w.path('round2', 'carol'));
    refused(w, 'alice', ['dkg-finalize', '--shares', round2Dir(w)], {
      field: '--shares',
      reason: /round 2 is not closed: 2 of 3/,
    });
  });

  it('a wrong passphrase', () => {
    const w = copyOf(stageRound2);
    refused(
      w,
      'alice',
      ['dkg-finalize', '--shares', round2Dir(w)],
      { code: 1, reason: /wrong passphrase/ },
      { SSS_TOOL_PASSPHRASE: 'not it' },
    );
  });
});

describe('an existing share file', () => {
  /** A consistent share of another group (a trusted dealer's), written as alice's share file. */
  async function oldShare(w: World): Promise<ShareFile> {
    const id = readJson(w.path('round1', 'alice')).identifier;
    const dealt = frost.trustedDealer({ min: 2, max: 3 }, [
      id,
      readJson(w.path('round1', 'bob')).identifier,
      readJson(w.path('round1', 'carol')).identifier,
    ]);
    const share: ShareFile = {
      format: 'sss-tool/share@1',
      ciphersuite: 'FROST-ED25519-SHA512-v1',
      ceremony: 'old-group',
      moniker: 'alice',
      identifier: id,
      signingShare: bytesToHex(dealt.secretShares[id].signingShare),
      verifyingShare: bytesToHex(dealt.public.verifyingShares[id]),
      group: {
        publicKey: bytesToHex(dealt.public.commitments[0]),
        threshold: 2,
        commitment: dealt.public.commitments.map(bytesToHex),
        genesis: 'old-group',
      },
    };
    await saveShareFile(homePaths(w.home('alice')).share, share, PASSPHRASE);
    return share;
  }

  it('dkg-finalize with a share of another ceremony present is refused; the old share is unchanged', async () => {
    const w = copyOf(stageRound2);
    await oldShare(w);
    refused(w, 'alice', ['dkg-finalize', '--shares', round2Dir(w)], {
      file: homePaths(w.home('alice')).share,
      reason: /share file already exists/,
    });
  });

  it('--replace-share writes the new share and keeps the old one, byte for byte, as a 0600 backup', async () => {
    const w = copyOf(stageRound2);
    const old = await oldShare(w);
    const sharePath = homePaths(w.home('alice')).share;
    const oldBytes = readFileSync(sharePath);
    const r = finalize(w, 'alice', ['--replace-share']);
    expect(r.code, r.stderr).toBe(0);
    const backups = readdirSync(w.home('alice')).filter((f) => f.startsWith('trustserver_share.json.age.bak-'));
    expect(backups).toHaveLength(1);
    const backup = join(w.home('alice'), backups[0]);
    expect(readFileSync(backup)).toEqual(oldBytes);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(statSync(sharePath).mode & 0o777).toBe(0o600);
    expect((await readShareFile(backup, PASSPHRASE)).group.publicKey).toBe(old.group.publicKey);
    const now = await readShareFile(sharePath, PASSPHRASE);
    expect(now.ceremony).toBe(CEREMONY);
    expect(now.group.publicKey).toBe(readFileSync(join(w.home('alice'), 'trustserver_public_key.pub'), 'utf8').trim());
    expect(existsSync(w.path('finalize', 'alice'))).toBe(true);
  });
});
