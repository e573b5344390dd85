// The Action's cold start: `node dist/index.js` as GitHub Actions runs it, on generated complete
// genesis ceremonies of 5 and 64 participants in real git repositories. Modes: status (the full
// audit of main), validate (a pull request adding the last finalize artifact: changes from git,
// the rules, the audit of the checkout and of the merge base), publish (public_info/ committed and
// pushed to a bare origin) and publish again (nothing to do). Each row is the median of `repeat`
// process runs, wall clock.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { signArtifact, toFileText } from '../lib/artifacts/canonical.js';
import { FORMATS } from '../lib/artifacts/schemas.js';
import { dkgCommit, dkgFinalize, dkgManifest } from '../lib/ceremony/dkg-steps.js';
import { evaluateCommitment } from '../lib/crypto/msm.js';
import { bytesToHex, decodeScalar, encodePoint } from '../lib/crypto/suite.js';
import { auditDkg, round1DigestOf } from '../lib/ceremony/dkg.js';
import { readCeremony } from '../lib/ceremony/tree.js';
import { git, identity, inTempDir, median } from './support.js';

const DIST = process.env.BENCH_DIST ?? resolve(import.meta.dirname, '..', 'dist', 'index.js');

const CEREMONY = 'bench';

/** A complete n-participant ceremony written under dir/ceremonies/bench; returns the last finalize path. */
function generate(n, m, dir) {
  const cdir = join(dir, 'ceremonies', CEREMONY);
  for (const d of ['round1', 'round2', 'finalize']) mkdirSync(join(cdir, d), { recursive: true });
  writeFileSync(join(cdir, 'ceremony.json'), toFileText(dkgManifest(CEREMONY, m, n)));
  const people = [];
  for (let i = 0; i < n; i++) {
    const moniker = `p${String(i).padStart(4, '0')}`;
    // Round 1 and finalize as the CLI makes them (src/ceremony/dkg-steps.ts).
    const me = { ...identity(moniker), github: moniker };
    const { artifact: round1 } = dkgCommit(CEREMONY, me, m, n);
    writeFileSync(join(cdir, 'round1', `${moniker}.json`), toFileText(round1));
    people.push({ ...me, round1, x: decodeScalar(me.identifier, 'x') });
  }
  const round1Digest = round1DigestOf(people.map((p) => p.round1));
  // Round 2 is not dealt: ciphertexts are not the audit's business (only their recipients are),
  // and sealing N² real shares would take longer than everything measured here.
  for (const p of people) {
    const shares = people
      .filter((r) => r !== p)
      .map((r) => ({
        recipient: r.moniker,
        enc: bytesToHex(x25519.getPublicKey(x25519.utils.randomSecretKey())),
        ciphertext: bytesToHex(randomBytes(48)),
      }));
    p.round2 = signArtifact(
      {
        format: FORMATS.round2,
        ceremony: CEREMONY,
        moniker: p.moniker,
        identifier: p.identifier,
        round1Digest,
        shares,
      },
      p.signingSecret,
    );
    writeFileSync(join(cdir, 'round2', `${p.moniker}.json`), toFileText(p.round2));
  }
  const audit = auditDkg(readCeremony(cdir, dir));
  const C = audit.groupCommitment;
  for (const p of people) {
    const a = dkgFinalize(audit, p, encodePoint(evaluateCommitment(C, p.x)));
    writeFileSync(join(cdir, 'finalize', `${p.moniker}.json`), toFileText(a));
  }
  return { last: `ceremonies/${CEREMONY}/finalize/${people[n - 1].moniker}.json`, author: people[n - 1].moniker };
}

function action(workspace, eventName, event, dir, inputs = {}) {
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event));
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'bench/ceremonies',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_OUTPUT: join(dir, 'output.txt'),
    INPUT_TOKEN: '',
    ...inputs,
  };
  writeFileSync(env.GITHUB_STEP_SUMMARY, '');
  writeFileSync(env.GITHUB_OUTPUT, '');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [DIST], { cwd: workspace, env, encoding: 'utf8' });
  const ms = Math.round(performance.now() - t0);
  if (r.status !== 0) throw new Error(`node dist/index.js (${eventName}) failed:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

export async function run({ sizes = [5, 64], repeat = 5, log = console.error } = {}) {
  const rows = [];
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  rows.push({ name: 'node -e 0 (the floor)', n: 0, ms: Math.round(performance.now() - t0) });
  for (const n of sizes) {
    const m = Math.ceil((2 * n) / 3);
    await inTempDir(
      `sss-bench-action-${n}-`,
      async (dir) => {
        log(`N=${n} M=${m}: generating the ceremony…`);
        const origin = join(dir, 'origin.git');
        const ws = join(dir, 'ws');
        git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
        git(dir, 'clone', '-q', origin, ws);
        const { last, author } = generate(n, m, ws);
        // main holds everything but the last finalize artifact; the pull request adds it.
        git(ws, 'add', '-A', '--', '.', `:!${last}`);
        git(ws, 'commit', '-q', '-m', 'all but one finalize');
        git(ws, 'push', '-q', 'origin', 'main');
        const base = git(ws, 'rev-parse', 'HEAD');
        git(ws, 'add', last);
        git(ws, 'commit', '-q', '-m', 'the last finalize');
        const pr = {
          number: 1,
          // GitHub always names who pushed; the Action refuses an event that does not.
          sender: { login: author },
          pull_request: { number: 1, user: { login: author }, base: { sha: base, ref: 'main' } },
          repository: { default_branch: 'main' },
        };
        const times = (f) => median(Array.from({ length: repeat }, f));
        git(ws, 'checkout', '-q', '--detach', base);
        rows.push({ name: `status, N=${n}`, n, ms: times(() => action(ws, 'workflow_dispatch', {}, dir)) });
        git(ws, 'checkout', '-q', '--detach', 'main');
        rows.push({
          name: `validate (PR adds the last finalize), N=${n}`,
          n,
          ms: times(() => action(ws, 'pull_request', pr, dir)),
        });
        const push = { ref: 'refs/heads/main', repository: { default_branch: 'main', fork: false } };
        git(ws, 'push', '-q', 'origin', 'HEAD:main');
        rows.push({ name: `publish (commit and push public_info/), N=${n}`, n, ms: action(ws, 'push', push, dir) });
        rows.push({ name: `publish again (no-op), N=${n}`, n, ms: times(() => action(ws, 'push', push, dir)) });
        log(JSON.stringify(rows.slice(-4)));
      },
      log,
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  console.table(await run(sizes.length ? { sizes } : {}));
}
