/**
 * Fixes from the security review: join chains with competing joins, approving only merged
 * requests, one share per GitHub login, canonical X25519 keys, and the Action's own comment.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { checkEncryptionKey } from '../src/ceremony/dkg.js';
import { auditJoin } from '../src/ceremony/join.js';
import { chainJoins } from '../src/ceremony/repository.js';
import { GroupPackage, Report } from '../src/ceremony/report.js';
import { CeremonyFiles } from '../src/ceremony/tree.js';
import { SssError } from '../src/errors.js';
import { joinManifest, joinRequest } from '../src/ceremony/join-steps.js';
import { mergedState } from '../src/github/git.js';
import { client, upsertComment } from '../src/github/api.js';
import { startLocalGitHub } from '../dev/local-github.js';
import { bytesToHex } from '../src/crypto/suite.js';
import { dealGroup, emptyCeremony, person } from './join-fixture.js';
import { cleanupTempDirs, git, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

describe('X25519 keys are canonical', () => {
  it('refuses the top-bit alias and u >= p, which name the same key under another string', () => {
    const pk = x25519.getPublicKey(x25519.utils.randomSecretKey());
    expect(() => checkEncryptionKey(bytesToHex(pk))).not.toThrow();
    const alias = pk.slice();
    alias[31] ^= 0x80;
    expect(() => checkEncryptionKey(bytesToHex(alias))).toThrow(/non-canonical X25519/);
    const p = Buffer.alloc(32, 0xff);
    p[0] = 0xed;
    p[31] = 0x7f; // 2^255 - 19, little-endian: u == p
    expect(() => checkEncryptionKey(p.toString('hex'))).toThrow(/non-canonical X25519/);
  });
});

describe('join requests', () => {
  it('refuse a GitHub login that already holds a share (one share per person)', () => {
    const g = dealGroup(['alice', 'bob', 'carol'], 2);
    g.group.participants.find((p) => p.moniker === 'alice')!.github = 'Alice-GH';
    const files = emptyCeremony('join-alice2');
    files.manifest = { file: 'ceremonies/join-alice2/ceremony.json', value: joinManifest('join-alice2', g.group) };
    const newcomer = { ...person('alice2'), github: 'alice-gh' };
    files.singles.set('request', {
      file: 'ceremonies/join-alice2/request.json',
      value: joinRequest(
        'join-alice2',
        newcomer,
        g.group,
        ['alice', 'bob'],
        bytesToHex(x25519.getPublicKey(x25519.utils.randomSecretKey())),
      ),
    });
    const audit = auditJoin(files, g.group);
    expect(audit.errors.map((e) => e.message)).toEqual([
      'ceremonies/join-alice2/request.json: github: GitHub login @alice-gh already holds a share as alice (culprit: alice2)',
    ]);
  });
});

describe('mergedState (approve only merged requests)', () => {
  it('tells merged, changed, unmerged and no-git apart without the network', () => {
    const root = tempDir('sss-merged-');
    const origin = join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    const clone = join(root, 'clone');
    git(root, 'clone', '-q', origin, clone);
    const file = join(clone, 'ceremonies', 'j', 'request.json');
    mkdirSync(join(clone, 'ceremonies', 'j'), { recursive: true });
    writeFileSync(file, '{"a":1}\n');
    git(clone, 'add', '.');
    git(clone, 'commit', '-q', '-m', 'request');
    expect(mergedState(clone, 'origin', file, Buffer.from('{"a":1}\n'))).toBe('absent');
    git(clone, 'push', '-q', 'origin', 'HEAD:main');
    git(clone, 'fetch', '-q', 'origin');
    expect(mergedState(clone, 'origin', file, Buffer.from('{"a":1}\n'))).toBe('merged');
    expect(mergedState(clone, 'origin', file, Buffer.from('{"a":2}\n'))).toBe('differs');
    expect(mergedState(clone, 'nope', file, Buffer.from('{"a":1}\n'))).toBe('no-git');
    const plain = tempDir('sss-plain-');
    expect(mergedState(plain, 'origin', join(plain, 'x.json'), Buffer.from('{}'))).toBe('no-git');
  });
});

describe('the status comment', () => {
  it('updates only a bot comment: a person posting the marker cannot take over the report', async () => {
    const gh = await startLocalGitHub();
    try {
      gh.comments.set(900, {
        id: 900,
        issue: 5,
        body: '<!-- sss-tool:status -->\n✅ Valid (forged)',
        user: { login: 'mallory', type: 'User' },
      });
      const o = client('t', gh.url);
      const r = { owner: 'o', repo: 'r' };
      const first = await upsertComment(o, r, 5, '<!-- sss-tool:status -->', 'report one');
      expect(first.action).toBe('created');
      expect(gh.comments.get(900)!.body).toContain('forged');
      const second = await upsertComment(o, r, 5, '<!-- sss-tool:status -->', 'report two');
      expect(second).toEqual({ action: 'updated', id: first.id });
      expect(gh.comments.get(first.id)!.body).toContain('report two');
    } finally {
      await gh.close();
    }
  });
});

describe('join chains', () => {
  const g = dealGroup(['alice', 'bob', 'carol'], 2);
  /** The group after join `id` completed on `before`: the chain it extends, plus this join. */
  const grown = (before: GroupPackage, id: string): GroupPackage => ({
    ...before,
    ceremonies: [...before.ceremonies, { id, kind: 'join' }],
  });
  const joinOn = (id: string, extendsId: string): CeremonyFiles => ({
    ...emptyCeremony(id),
    manifest: { file: `ceremonies/${id}/ceremony.json`, value: { kind: 'join', extends: extendsId } },
  });
  /** A stand-in audit: `done` joins are complete on the state they extend, stale on any other. */
  const audit =
    (done: string[]) =>
    (j: CeremonyFiles, group: GroupPackage | undefined): Report => {
      const last = group?.ceremonies[group.ceremonies.length - 1].id;
      const onTip = (j.manifest!.value as { extends: string }).extends === last;
      const complete = onTip && done.includes(j.id);
      return {
        ceremony: j.id,
        kind: 'join',
        phase: onTip ? (complete ? 'complete' : 'approvals') : 'invalid',
        steps: [],
        rows: [],
        awaiting: '',
        errors: onTip ? [] : [new SssError('the group has grown since', { code: 'incomplete' })],
        group: complete ? grown(group!, j.id) : undefined,
      };
    };

  it('the completed join extends the group whatever its id; a pending one on the same state is then stale', () => {
    const joins = [joinOn('join-amy', 'genesis'), joinOn('join-zed', 'genesis')];
    const r = chainJoins(g.group, joins, audit(['join-zed']));
    expect(r.group!.ceremonies.map((c) => c.id)).toEqual(['genesis', 'join-zed']);
    expect(r.reports.get('join-amy')!.phase).toBe('invalid');
    expect(r.errors).toEqual([]);
  });

  it('two completed joins on one state are a conflict: neither is applied, and it is an error', () => {
    const joins = [joinOn('join-amy', 'genesis'), joinOn('join-zed', 'genesis')];
    const r = chainJoins(g.group, joins, audit(['join-amy', 'join-zed']));
    expect(r.group!.ceremonies.map((c) => c.id)).toEqual(['genesis']);
    expect(r.errors.map((e) => e.message)).toEqual([
      'joins join-amy and join-zed both extend the group state after genesis and are both complete: only one of them can be part of the group',
    ]);
  });

  it('follows a chain of joins, and leaves pending ones on the current state pending', () => {
    const joins = [joinOn('join-b', 'join-a'), joinOn('join-a', 'genesis'), joinOn('join-c', 'join-b')];
    const r = chainJoins(g.group, joins, audit(['join-a', 'join-b']));
    expect(r.group!.ceremonies.map((c) => c.id)).toEqual(['genesis', 'join-a', 'join-b']);
    expect(r.reports.get('join-c')!.phase).toBe('approvals');
  });
});
