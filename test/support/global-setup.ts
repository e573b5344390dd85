/**
 * vitest's globalSetup: one directory for the whole test run, where fixtures that several test
 * files share are built once (test/support/genesis.ts), removed when the run ends.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'sss-fixture-cache-'));
  project.provide('fixtureCache', dir);
  // In watch mode a rerun may follow a rebuild of the CLI: what was built before is not reused.
  project.onTestsRerun(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
  });
  return () => rmSync(dir, { recursive: true, force: true });
}
