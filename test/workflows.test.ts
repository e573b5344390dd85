/**
 * The workflow templates and action.yml as the docs promise them: third-party actions pinned by a
 * full commit SHA with the version in a comment, a timeout on every job, no concurrency group on
 * the publish job (a group cancels pending runs), and Marketplace-valid branding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const WORKFLOWS = ['ceremony.yml', 'ci.yml', 'release.yml'];
const read = (name: string) => readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8');

/** The jobs of a workflow file, by name, as their raw text (two-space indented keys under `jobs:`). */
function jobs(text: string): Map<string, string> {
  const body = text.slice(text.indexOf('\njobs:\n') + 7);
  const out = new Map<string, string>();
  for (const part of body.split(/\n(?= {2}[a-z][\w-]*:\n)/)) {
    const m = /^ {2}([a-z][\w-]*):\n/.exec(part.replace(/^\n+/, ''));
    if (m) out.set(m[1], part);
  }
  return out;
}

describe('workflow templates', () => {
  it.each(WORKFLOWS)('%s pins every third-party action to a full commit SHA, with its version in a comment', (name) => {
    const uses = read(name)
      .split('\n')
      .filter((l) => /^\s*(- )?uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      if (line.includes('proofofcloud/sss-tool@')) continue;
      expect(line, line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it.each(WORKFLOWS)('%s sets timeout-minutes on every job', (name) => {
    const all = jobs(read(name));
    expect(all.size).toBeGreaterThan(0);
    for (const [job, text] of all) expect(text, `${name}: ${job}`).toMatch(/\n {4}timeout-minutes: \d+\n/);
  });

  it('ceremony.yml: the publish job has no concurrency group and the status run is a job of its own', () => {
    const text = read('ceremony.yml');
    const all = jobs(text);
    expect(text).not.toMatch(/^concurrency:/m);
    expect(all.get('publish')).not.toMatch(/\n {4}concurrency:/);
    expect(all.get('publish')).toMatch(/if: github.event_name == 'push'/);
    expect(all.get('status')).toMatch(/if: github.event_name == 'workflow_dispatch'/);
    expect(all.get('publish')).toMatch(/publish-token: \$\{\{ steps\.app\.outputs\.token \}\}/);
  });
});

describe('action.yml', () => {
  it('has Marketplace branding: a Feather icon the Marketplace lists and one of its colors', () => {
    const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    const icon = /\n {2}icon: ([\w-]+)\n/.exec(text)?.[1];
    const color = /\n {2}color: ([\w-]+)\n/.exec(text)?.[1];
    // A few of the Marketplace's icons that fit a key-holding tool; the full list is in GitHub's
    // metadata-syntax docs (and SchemaStore's github-action.json).
    expect(['key', 'lock', 'shield', 'unlock']).toContain(icon);
    expect(['white', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']).toContain(color);
  });
});
