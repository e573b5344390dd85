/**
 * The publish path under branch protection: a pull request of nothing but the generated
 * public_info/ files is judged by its bytes, whoever opens it; anything more under public_info/
 * stays a maintainer's change.
 */
import { describe, expect, it } from 'vitest';
import { Change, ChangeContext, RepositoryView, checkChanges } from '../src/ceremony/rules.js';

const emptyView: RepositoryView = { state: { reports: new Map(), errors: [] }, ceremony: () => ({}) };
const ctx = (author: string): ChangeContext => ({
  author,
  maintainers: ['maint'],
  ceremoniesDir: 'ceremonies',
  publicInfoDir: 'public_info',
  head: emptyView,
  base: () => emptyView,
});
const added = (path: string, text = 'x\n'): Change => ({
  status: 'A',
  path,
  oldMode: '000000',
  mode: '100644',
  size: text.length,
  content: Buffer.from(text),
});
const reasons = (changes: Change[], author: string) =>
  checkChanges(changes, ctx(author)).map((e) => `${e.file}: ${e.reason}`);

describe('public_info/ pull requests', () => {
  it('from anyone, when they change only the generated files: judged against the transcript, not by who opened them', () => {
    expect(reasons([added('public_info/public_key.txt'), added('public_info/group.json')], 'publish-app[bot]')).toEqual(
      [
        'public_info/public_key.txt: no complete ceremony yields public_info/ yet: it is generated from the transcript, never written by hand',
        'public_info/group.json: no complete ceremony yields public_info/ yet: it is generated from the transcript, never written by hand',
      ],
    );
  });

  it('from a non-maintainer, with any other file: maintainers only', () => {
    const got = reasons([added('public_info/public_key.txt'), added('public_info/README.md')], 'alice');
    expect(got).toEqual([
      'public_info/public_key.txt: only maintainers (@maint) may change public_info/; it is generated from the transcript when a ceremony completes',
      'public_info/README.md: only maintainers (@maint) may change public_info/; it is generated from the transcript when a ceremony completes',
    ]);
    expect(
      reasons([added('public_info/public_key.txt'), added('ceremonies/g/ceremony.json', '{}')], 'alice')[0],
    ).toMatch(/^public_info\/public_key.txt: only maintainers/);
  });
});
