/**
 * The round table and the "awaiting" line, shared by every ceremony kind's audit (dkg.ts,
 * join.ts): one participant's state in one step, and what is awaited once problems are counted.
 */
import { Report, StepState } from './report.js';

/** done (a valid artifact), invalid (a file the audit refused), awaited (the step is open), or -. */
export function stepState(done: boolean, present: boolean, open: boolean): StepState {
  return done ? 'done' : present ? 'invalid' : open ? 'awaited' : '-';
}

/** What is awaited, after the fixes for any problems; a report with problems is invalid. */
export function awaitingAfterFixes(report: Report, awaiting: string): string {
  const n = report.errors.length;
  if (!n) return awaiting;
  report.phase = 'invalid';
  return `fixes for ${n} problem${n === 1 ? '' : 's'}; then ${awaiting}`;
}
