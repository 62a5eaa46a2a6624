// Sums the JSON reports of every test run under .ci/out into one closing line: "N passed, N failed".
// A run whose report is missing (it crashed before writing one) counts as one failure.
// Each failed test is named, with the first line of its error, just above the counts: only the end
// of CI's output is kept where the team reads it, and a count alone does not say what to fix.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
let passed = 0;
let failed = 0;
const failures = [];

const firstLine = (text) =>
  String(text ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0)
    ?.slice(0, 240) ?? '';

function vitestFailures(run, report) {
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of failedTests) failures.push(`${run} vitest ${file.name}: ${t.fullName} — ${firstLine(t.failureMessages?.[0])}`);
    // A file that failed to load has no test results, only a message.
    if (file.status === 'failed' && failedTests.length === 0) failures.push(`${run} vitest ${file.name}: ${firstLine(file.message)}`);
  }
}

function e2eFailures(run, report) {
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'unexpected') continue;
        const last = test.results?.[test.results.length - 1];
        failures.push(`${run} browser ${spec.file}:${spec.line} ${spec.title} — ${firstLine(last?.error?.message)}`);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
  for (const error of report.errors ?? []) failures.push(`${run} browser (run error) — ${firstLine(error.message)}`);
}

const lines = [];
for (const run of readdirSync(root).sort()) {
  const dir = join(root, run);
  const read = (f) => (existsSync(join(dir, f)) ? JSON.parse(readFileSync(join(dir, f), 'utf8')) : null);
  const vitest = read('vitest.json');
  const e2e = read('e2e.json');
  if (vitest) {
    passed += vitest.numPassedTests;
    failed += vitest.numFailedTests;
    vitestFailures(run, vitest);
  } else failed += 1;
  if (e2e) {
    passed += e2e.stats.expected + e2e.stats.flaky;
    failed += e2e.stats.unexpected;
    e2eFailures(run, e2e);
  } else failed += 1;
  lines.push(`${run}: vitest ${vitest ? `${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed` : 'no report'}; ` +
    `browser ${e2e ? `${e2e.stats.expected + e2e.stats.flaky} passed, ${e2e.stats.unexpected} failed` : 'no report'}`);
}
if (failures.length > 0) {
  console.log('failed:');
  for (const f of failures) console.log(`  ${f}`);
}
for (const l of lines) console.log(l);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
