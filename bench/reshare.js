// Reshare benchmark at N=64, M=43, refreshing the same 64 holders at M'=43: one dealer's dealing,
// one new holder's finalize, and the full audit of the reshare (auditReshare over the files on
// disk, cold point cache), as the Action runs it. The group is dealer-made (noble's trustedDealer):
// a reshare needs nothing from the genesis but the group package. The other dealings come from
// the same step function; the other 63 finalize artifacts are signed over Y'_j computed from the
// public C' (what an honest holder publishes), so that only one holder's opening is paid for.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toFileText } from '../lib/artifacts/canonical.js';
import { evaluateCommitment } from '../lib/crypto/msm.js';
import { clearPointCache, compareIdentifiers, encodePoint } from '../lib/crypto/suite.js';
import { auditReshare } from '../lib/ceremony/reshare.js';
import { openReshare, reshareDealing, reshareFinalize, reshareManifest } from '../lib/ceremony/reshare-steps.js';
import { readCeremony } from '../lib/ceremony/tree.js';
import { cpuMsSince as cpu, dealtGroup, inTempDir, msSince as ms } from './support.js';

export async function run({ n = 64, m = 43, log = console.error } = {}) {
  return inTempDir(
    `sss-bench-reshare-${n}-`,
    async (dir) => {
      const rows = [];
      log(`reshare at N=${n} M=${m} → M'=${m}: dealing the group and ${m - 1} other dealings…`);
      const { people, group } = dealtGroup(n, m);
      const ceremony = 'refresh';
      const cdir = join(dir, 'ceremonies', ceremony);
      mkdirSync(join(cdir, 'dealings'), { recursive: true });
      mkdirSync(join(cdir, 'finalize'), { recursive: true });
      const dealers = [...people].sort((a, b) => compareIdentifiers(a.identifier, b.identifier)).slice(0, m);
      writeFileSync(
        join(cdir, 'ceremony.json'),
        toFileText(
          reshareManifest(ceremony, group, {
            keep: people.map((p) => p.moniker),
            newcomers: [],
            newThreshold: m,
            dealers: dealers.map((p) => p.moniker),
          }),
        ),
      );

      // One dealing, as reshare-deal makes it: audit the proposal, deal, sign.
      clearPointCache();
      let t0 = performance.now();
      let c0 = process.cpuUsage();
      const first = await reshareDealing(auditReshare(readCeremony(cdir, dir), group), dealers[0], dealers[0].share);
      rows.push({ name: 'dealing (one dealer)', n, m, ms: ms(t0), cpuMs: cpu(c0) });
      writeFileSync(join(cdir, 'dealings', `${first.moniker}.json`), toFileText(first));
      const proposed = auditReshare(readCeremony(cdir, dir), group);
      for (const d of dealers.slice(1))
        writeFileSync(
          join(cdir, 'dealings', `${d.moniker}.json`),
          toFileText(await reshareDealing(proposed, d, d.share)),
        );

      // One new holder's finalize: the full public audit, open and check all M dealings, combine, sign.
      const me = people[0];
      clearPointCache();
      t0 = performance.now();
      c0 = process.cpuUsage();
      const ready = auditReshare(readCeremony(cdir, dir), group);
      if (ready.phase !== 'finalize') throw new Error(`bench reshare is ${ready.phase}: ${ready.errors[0]?.message}`);
      const opened = await openReshare(ready, me);
      writeFileSync(
        join(cdir, 'finalize', `${me.moniker}.json`),
        toFileText(reshareFinalize(ready, me, opened.qualified, encodePoint(opened.verifyingShare))),
      );
      rows.push({ name: 'finalize (one new holder)', n, m, ms: ms(t0), cpuMs: cpu(c0) });
      for (const h of ready.holders.filter((x) => x.identity.moniker !== me.moniker)) {
        const p = people.find((x) => x.moniker === h.identity.moniker);
        writeFileSync(
          join(cdir, 'finalize', `${p.moniker}.json`),
          toFileText(
            reshareFinalize(ready, p, opened.qualified, encodePoint(evaluateCommitment(ready.newCommitment, h.x))),
          ),
        );
      }

      // The Action's verification of the whole reshare: read every file, audit, cold point cache.
      clearPointCache();
      t0 = performance.now();
      c0 = process.cpuUsage();
      const audit = auditReshare(readCeremony(cdir, dir), group);
      rows.push({ name: 'verify (whole reshare, as the Action)', n, m, ms: ms(t0), cpuMs: cpu(c0) });
      if (audit.phase !== 'complete') throw new Error(`bench reshare is ${audit.phase}: ${audit.errors[0]?.message}`);
      if (audit.group.publicKey !== group.publicKey) throw new Error('the reshare changed the group key');
      return rows;
    },
    log,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n, m] = process.argv.slice(2).map(Number);
  console.table(await run(n ? { n, m: m || Math.ceil((2 * n) / 3) } : {}));
}
