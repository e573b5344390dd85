// Join (enrollment) benchmark at N=256, M=171, |H|=171: one approver's approval, the newcomer's
// finalize and the Action's verification of the whole join (auditJoin over the files on disk).
// The group is dealer-made (noble's trustedDealer), not a DKG transcript: only the join is measured,
// and a join needs nothing from the genesis but the group package. The other 170 approvals are
// made by the same library functions, with X25519 through node:crypto to keep the setup short.
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { signArtifact, toFileText } from '../lib/artifacts/canonical.js';
import { FORMATS } from '../lib/artifacts/schemas.js';
import { requestDigestOf } from '../lib/artifacts/join.js';
import { FRAGMENT_LABEL, encodeMaskCommitment, joinFragment, pairMask } from '../lib/crypto/join.js';
import { hpkeInfo, seal } from '../lib/crypto/hpke.js';
import {
  Fn,
  Point,
  bytesToHex,
  clearPointCache,
  compareIdentifiers,
  decodeScalar,
  encodePoint,
  hexToBytes,
} from '../lib/crypto/suite.js';
import { auditJoin } from '../lib/ceremony/join.js';
import { joinApproval, joinFinalize, joinManifest, joinRequest, openFragments } from '../lib/ceremony/join-steps.js';
import { readCeremony } from '../lib/ceremony/tree.js';
import { dealtGroup, identity, inTempDir, msSince as ms } from './support.js';

const pkcs8 = (sk) =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), sk]),
    format: 'der',
    type: 'pkcs8',
  });
const spki = (pk) =>
  createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), hexToBytes(pk)]),
    format: 'der',
    type: 'spki',
  });

/** Every approval but the first approver's, built pair by pair (each pair mask once). */
async function otherApprovals(ceremony, request, approvers, newcomerX) {
  const requestDigest = requestDigestOf(request);
  const h = approvers.length;
  const keys = approvers.map((p) => ({ priv: pkcs8(p.encryptionSecret), pub: spki(p.encryptionKey) }));
  const masks = approvers.map(() => new Array(h));
  const commitments = approvers.map(() => ({}));
  for (let i = 0; i < h; i++)
    for (let k = i + 1; k < h; k++) {
      const shared = diffieHellman({ privateKey: keys[i].priv, publicKey: keys[k].pub });
      const m = pairMask(ceremony, requestDigest, approvers[i].identifier, approvers[k].identifier, shared);
      masks[i][k] = { identifier: approvers[k].identifier, x: approvers[k].x, mask: m };
      masks[k][i] = { identifier: approvers[i].identifier, x: approvers[i].x, mask: m };
      const M = encodeMaskCommitment(Point.BASE.multiply(m));
      commitments[i][approvers[k].moniker] = M;
      commitments[k][approvers[i].moniker] = M;
    }
  const xs = approvers.map((p) => p.x);
  const out = [];
  for (let i = 1; i < h; i++) {
    const p = approvers[i];
    const { sigma } = joinFragment(p.x, p.share, xs, newcomerX, masks[i].filter(Boolean));
    const sealed = await seal(
      hexToBytes(request.joinKey),
      hpkeInfo(FRAGMENT_LABEL, ceremony, p.identifier, request.identifier),
      Fn.toBytes(sigma),
    );
    out.push(
      signArtifact(
        {
          format: FORMATS.joinApproval,
          ceremony,
          moniker: p.moniker,
          identifier: p.identifier,
          requestDigest,
          fragment: { enc: bytesToHex(sealed.enc), ciphertext: bytesToHex(sealed.ciphertext) },
          fragmentCommitment: encodePoint(Point.BASE.multiply(sigma)),
          maskCommitments: commitments[i],
        },
        p.signingSecret,
      ),
    );
  }
  return out;
}

export async function run({ n = 256, m = 171, h = 171, log = console.error } = {}) {
  return inTempDir(
    `sss-bench-join-${n}-`,
    async (dir) => {
      const rows = [];
      log(`join at N=${n} M=${m} |H|=${h}: dealing the group and building ${h - 1} approvals…`);
      const { people, group } = dealtGroup(n, m);
      const ceremony = 'join-newcomer';
      const cdir = join(dir, 'ceremonies', ceremony);
      mkdirSync(join(cdir, 'approvals'), { recursive: true });
      const newcomer = identity('newcomer');
      const joinSecret = x25519.utils.randomSecretKey();
      const approvers = [...people].sort((a, b) => compareIdentifiers(a.identifier, b.identifier)).slice(0, h);
      const request = joinRequest(
        ceremony,
        newcomer,
        group,
        approvers.map((p) => p.moniker),
        bytesToHex(x25519.getPublicKey(joinSecret)),
      );
      writeFileSync(join(cdir, 'ceremony.json'), toFileText(joinManifest(ceremony, group)));
      writeFileSync(join(cdir, 'request.json'), toFileText(request));
      const newcomerX = decodeScalar(newcomer.identifier, 'identifier');
      for (const a of await otherApprovals(ceremony, request, approvers, newcomerX))
        writeFileSync(join(cdir, 'approvals', `${a.moniker}.json`), toFileText(a));

      // One approval, as approve-participant makes it: audit the request, then the approval.
      const first = approvers[0];
      clearPointCache();
      let t0 = performance.now();
      const requestOnly = readCeremony(cdir, dir);
      requestOnly.byRole.set('approvals', new Map());
      const approval = await joinApproval(auditJoin(requestOnly, group), first, first.share);
      rows.push({ name: 'approval (one approver)', n, m, h, ms: ms(t0) });
      writeFileSync(join(cdir, 'approvals', `${first.moniker}.json`), toFileText(approval));

      // The newcomer's finalize: the full public audit, open and check every fragment, sign.
      clearPointCache();
      t0 = performance.now();
      const before = auditJoin(readCeremony(cdir, dir), group);
      if (before.phase !== 'finalize') throw new Error(`bench join is ${before.phase}: ${before.errors[0]?.message}`);
      const share = await openFragments(before, joinSecret);
      const fin = joinFinalize(before, newcomer, encodePoint(share.verifyingShare));
      rows.push({ name: 'finalize (newcomer)', n, m, h, ms: ms(t0) });
      writeFileSync(join(cdir, 'finalize.json'), toFileText(fin));

      // The Action's verification of the whole join: read every file, audit, cold point cache.
      clearPointCache();
      t0 = performance.now();
      const audit = auditJoin(readCeremony(cdir, dir), group);
      rows.push({ name: 'verify (whole join, as the Action)', n, m, h, ms: ms(t0) });
      if (audit.phase !== 'complete') throw new Error(`bench join is ${audit.phase}: ${audit.errors[0]?.message}`);
      if (audit.group.publicKey !== group.publicKey) throw new Error('the join changed the group key');
      return rows;
    },
    log,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n, m, h] = process.argv.slice(2).map(Number);
  console.table(await run(n ? { n, m: m || Math.ceil((2 * n) / 3), h: h || m || Math.ceil((2 * n) / 3) } : {}));
}
