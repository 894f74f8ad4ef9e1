#!/usr/bin/env node
// `npm test`: the whole suite, as CI runs it — type check, unit tests (vitest), production build,
// then end-to-end tests (Playwright on Debian's chromium against the demo relay). Ends with the
// line "N passed, N failed" and exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countE2e, countUnit } from './test-counts.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (label, cmd, args, env = {}) => {
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
};

const readJson = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null);

let passed = 0;
let failed = 0;

// 1. The browser for the e2e tests: Debian's chromium (Playwright cannot download its own here).
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// pdftotext (poppler-utils) reads the evidence report's PDF in its e2e test.
const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;
if (!fs.existsSync(chromium) || !hasPdftotext) {
  if (process.getuid?.() === 0) {
    run('installing chromium and poppler-utils (apt-get)', 'bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null']);
  }
  if (!fs.existsSync(chromium)) {
    console.error(`\nchromium not found at ${chromium}. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH.`);
    process.exit(1);
  }
}

// 2. Types across the whole project (the build skips this for speed).
if (run('type check (tsc)', bin('tsc'), ['--noEmit', '-p', '.']) === 0) passed++;
else failed++;

// 3. Unit tests.
const unitJson = path.join(results, 'unit.json');
fs.rmSync(unitJson, { force: true });
const unitStatus = run('unit tests (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitJson}`]);
const unit = countUnit(readJson(unitJson), unitStatus);
passed += unit.passed;
failed += unit.failed;

// 4. Production build, then 5. end-to-end tests against it.
if (run('build (next build)', process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build']) !== 0) {
  failed++;
} else {
  const e2eJson = path.join(results, 'e2e-report.json');
  fs.rmSync(e2eJson, { force: true });
  const e2eStatus = run('end-to-end tests (playwright)', bin('playwright'), ['test'], { CHROMIUM_PATH: chromium });
  const e2e = countE2e(readJson(e2eJson), e2eStatus);
  passed += e2e.passed;
  failed += e2e.failed;
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
