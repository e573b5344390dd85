/** The pull-request rules as pure functions: private material, and the change rules on synthetic changes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRIVATE_KEYS, privateMaterial } from '../src/artifacts/private.js';
import {
  Change,
  ChangeContext,
  FILE_RULES,
  RepositoryView,
  checkChanges,
  ruleFor,
  touchedCeremonies,
} from '../src/ceremony/rules.js';

const emptyView: RepositoryView = { state: { reports: new Map(), errors: [] }, ceremony: () => ({}) };
const ctx = (over: Partial<ChangeContext> = {}): ChangeContext => ({
  author: 'alice',
  maintainers: ['maint'],
  ceremoniesDir: 'ceremonies',
  publicInfoDir: 'public_info',
  head: emptyView,
  base: () => emptyView,
  ...over,
});
const added = (path: string, text = '{}', mode = '100644'): Change => ({
  status: 'A',
  path,
  oldMode: '000000',
  mode,
  size: text.length,
  content: Buffer.from(text),
});

describe('privateMaterial', () => {
  it('names age files, binary and armored', () => {
    expect(privateMaterial('age-encryption.org/v1\n-> scrypt abc 18\n')).toMatch(/age-encrypted file/);
    expect(privateMaterial('junk\n-----BEGIN AGE ENCRYPTED FILE-----\nxx\n')).toMatch(/armored age-encrypted file/);
  });

  it('names a secret-bearing key at any depth, and private formats', () => {
    expect(privateMaterial(JSON.stringify({ a: [{ b: { signingShare: '00' } }] }))).toBe(
      'a signing share (field a.0.b.signingShare)',
    );
    expect(privateMaterial(JSON.stringify({ format: 'sss-tool/dkg-state@1' }))).toMatch(
      /private file \(format sss-tool\/dkg-state@1\)/,
    );
    expect(privateMaterial(JSON.stringify({ format: 'sss-tool/sign-nonces@1', hiding: '00', binding: '11' }))).toMatch(
      /sign-nonces/,
    );
  });

  it('passes public artifacts, including nonce commitments named hiding and binding', () => {
    expect(
      privateMaterial(JSON.stringify({ format: 'sss-tool/sign-commitment@1', hiding: 'aa', binding: 'bb' })),
    ).toBeUndefined();
    expect(
      privateMaterial(
        JSON.stringify({
          format: 'sss-tool/dkg-round2@1',
          shares: [{ recipient: 'bob', enc: '00', ciphertext: '11' }],
        }),
      ),
    ).toBeUndefined();
    expect(privateMaterial('not json at all')).toBeUndefined();
  });

  it('property: a secret key inserted anywhere in any JSON document is found', () => {
    const keys = Object.keys(PRIVATE_KEYS);
    const clean = fc.jsonValue().filter((v) => !JSON.stringify(v).match(new RegExp(`"(${keys.join('|')}|format)"`)));
    fc.assert(
      fc.property(
        clean,
        fc.constantFrom(...keys),
        fc.array(
          fc
            .string({ minLength: 1, maxLength: 5 })
            .filter((k) => !keys.includes(k) && k !== 'format' && k !== '__proto__'),
          { maxLength: 4 },
        ),
        (doc, key, path) => {
          expect(privateMaterial(JSON.stringify(doc))).toBeUndefined();
          let v: unknown = { [key]: '00' };
          for (const p of path) v = { [p]: v };
          expect(privateMaterial(JSON.stringify({ doc, v }))).toMatch(/\(field .*\)$/);
        },
      ),
    );
  });
});

describe('checkChanges', () => {
  it('keeps the transcript append-only and refuses links and non-files', () => {
    const errs = checkChanges(
      [
        { status: 'D', path: 'ceremonies/g/round1/bob.json', oldMode: '100644', mode: '000000' },
        {
          status: 'M',
          path: 'ceremonies/g/round1/carol.json',
          oldMode: '100644',
          mode: '100644',
          size: 2,
          content: Buffer.from('{}'),
        },
        added('ceremonies/g/round1/alice.json', 'x', '120000'),
        added('ceremonies/g/round1/dave.json', '', '160000'),
      ],
      ctx(),
    ).map((e) => e.message);
    expect(errs).toEqual([
      'ceremonies/g/round1/bob.json: deletes a merged artifact: the transcript is append-only',
      'ceremonies/g/round1/carol.json: changes a merged artifact: the transcript is append-only',
      'ceremonies/g/round1/alice.json: symbolic links are not allowed',
      'ceremonies/g/round1/dave.json: not a regular file (git mode 160000)',
    ]);
  });

  it('lets maintainers, and only them, change repository files outside ceremonies/<id>/', () => {
    const changes = [added('README.md', '# hi\n'), added('ceremonies/README.md', '# c\n')];
    expect(checkChanges(changes, ctx()).map((e) => e.file)).toEqual(['README.md', 'ceremonies/README.md']);
    expect(checkChanges(changes, ctx({ author: 'Maint' }))).toEqual([]);
  });

  it('knows which files each ceremony kind holds', () => {
    expect(ruleFor('dkg', 'round1', true)).toBeDefined();
    expect(ruleFor('dkg', 'approvals', true)).toBeUndefined();
    expect(ruleFor('join', 'approvals', true)).toBeDefined();
    expect(ruleFor('join', 'ceremony', false)?.pattern).toBe('ceremony.json');
    expect(new Set(FILE_RULES.map((r) => `${r.kind}:${r.role}:${r.perMoniker}`)).size).toBe(FILE_RULES.length);
  });

  it('takes a join manifest from the newcomer whose request comes with it, else only from a maintainer', () => {
    const request = { format: 'sss-tool/join-request@1', ceremony: 'join-frank', moniker: 'frank', github: 'frank-gh' };
    const manifest = JSON.stringify({ format: 'sss-tool/ceremony@1', ceremony: 'join-frank', kind: 'join' });
    const tree = (withRequest: boolean) => ({
      id: 'join-frank',
      dir: 'ceremonies/join-frank',
      manifest: { file: 'ceremonies/join-frank/ceremony.json', value: JSON.parse(manifest) },
      byRole: new Map(),
      singles: new Map(
        withRequest ? [['request', { file: 'ceremonies/join-frank/request.json', value: request }]] : [],
      ),
      errors: [],
    });
    const view = (withRequest: boolean): RepositoryView => ({
      state: { reports: new Map(), errors: [] },
      ceremony: () => ({ tree: tree(withRequest) }),
    });
    const both = [
      added('ceremonies/join-frank/ceremony.json', manifest),
      added('ceremonies/join-frank/request.json', JSON.stringify(request)),
    ];
    expect(checkChanges(both, ctx({ author: 'frank-gh', head: view(true) }))).toEqual([]);
    expect(checkChanges(both, ctx({ author: 'mallory', head: view(true) })).map((e) => e.file)).toEqual([
      'ceremonies/join-frank/ceremony.json',
      'ceremonies/join-frank/request.json',
    ]);
    const alone = [added('ceremonies/join-frank/ceremony.json', manifest)];
    expect(checkChanges(alone, ctx({ author: 'frank-gh', head: view(false) })).map((e) => e.message)).toEqual([
      'ceremonies/join-frank/ceremony.json: only maintainers (@maint) may add a ceremony manifest, not @frank-gh',
    ]);
    expect(checkChanges(alone, ctx({ author: 'maint', head: view(false) }))).toEqual([]);
  });

  it('lists the ceremonies a change touches', () => {
    expect(
      touchedCeremonies(
        [added('ceremonies/b/x'), added('ceremonies/a/round1/x.json'), added('ceremonies/README.md'), added('x/y')],
        'ceremonies',
      ),
    ).toEqual(['a', 'b']);
  });
});
