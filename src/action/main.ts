/**
 * The sss-tool Action: `run()` reads the inputs and the event, and validates a pull request,
 * publishes public_info/ after a push, or reports the status. It decides nothing on its own: the
 * rules are src/ceremony/rules.ts and the audit is the one `sss-tool verify` runs.
 */
import { join } from 'node:path';
import * as core from '@actions/core';
import { SssError } from '../errors.js';
import { auditRepository } from '../ceremony/repository.js';
import { Inputs, Mode, readContext, readInputs, RunContext } from './context.js';
import { publish } from './publish.js';
import { ceremoniesMarkdown, setOutputs, writeSummary } from './report.js';
import { validate } from './validate.js';

/** The mode an event implies when the `mode` input is `auto`. */
function modeFor(eventName: string): Mode {
  if (eventName === 'pull_request_target')
    throw new SssError(
      'refusing to run on pull_request_target: it runs with a write token next to untrusted changes; trigger the workflow on pull_request',
      { code: 'not-allowed', field: 'on' },
    );
  if (eventName === 'pull_request') return 'validate';
  if (eventName === 'push') return 'publish';
  return 'status';
}

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    const ctx = readContext();
    // Whatever the mode: pull_request_target is refused before anything else runs.
    const implied = modeFor(ctx.eventName);
    const mode = inputs.mode === 'auto' ? implied : inputs.mode;
    core.info(`sss-tool Action: ${mode} (event ${ctx.eventName || 'none'}, ceremonies in ${inputs.ceremoniesDir}/).`);
    if (mode === 'validate') await validate(inputs, ctx);
    else if (mode === 'publish') await publish(inputs, ctx);
    else await status(inputs, ctx);
  } catch (e) {
    core.setFailed(e instanceof Error ? e.message : String(e));
  }
}

/** Every ceremony's round table, and the outputs; fails nothing. */
async function status(inputs: Inputs, ctx: RunContext): Promise<void> {
  const state = auditRepository(join(ctx.workspace, inputs.ceremoniesDir), ctx.workspace);
  setOutputs(state);
  await writeSummary(['## sss-tool: status', '', ceremoniesMarkdown(state)].join('\n'));
  for (const r of state.reports.values()) core.info(`${r.ceremony}: ${r.phase}; awaiting ${r.awaiting}`);
}
