// What `npm start` needs to know to serve a build that matches the source: a content hash of everything
// `next build` reads, recorded beside the build after it succeeds, and the decision to build again.
// Plain ESM (no TypeScript) because scripts/start.mjs imports it before anything is built.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** What the dashboard build is made of (relative to the checkout). Tests and test data do not change it. */
export const BUILD_INPUTS = ['app', 'components', 'lib', 'proto', 'types', 'package.json', 'package-lock.json', 'next.config.ts', 'scripts/security-headers.mjs', 'proxy.ts', 'instrumentation.ts', 'postcss.config.mjs'];

/** The file, inside the dist dir, that records the source hash a build was made from. */
export const STAMP_FILE = 'flowsight-source.sha256';

const SKIPPED_DIRS = new Set(['node_modules', 'testdata', 'testing', '.git']);
const isTestFile = (name) => /\.test\.[cm]?[jt]sx?$/.test(name);

/** Regular files under `rel` (a file or directory), sorted, as paths relative to `root`. */
function listFiles(root, rel, out) {
  let st;
  try {
    st = fs.lstatSync(path.join(root, rel));
  } catch {
    return; // an optional input (types/, proxy.ts) that this checkout does not have
  }
  if (st.isFile()) {
    out.push(rel);
    return;
  }
  if (!st.isDirectory()) return;
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = path.posix.join(rel, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) listFiles(root, child, out);
    else if (entry.isFile() && !isTestFile(entry.name)) out.push(child);
  }
}

/** A sha256 over the path and content of every build input: equal stamps, same build. */
export function sourceStamp(root, inputs = BUILD_INPUTS) {
  const files = [];
  for (const rel of inputs) listFiles(root, rel, files);
  const hash = createHash('sha256');
  for (const rel of files) {
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(path.join(root, rel)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The stamp recorded beside a build, or undefined when there is none (built by hand, or before stamps). */
export function readStamp(distDir) {
  try {
    return fs.readFileSync(path.join(distDir, STAMP_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function writeStamp(distDir, stamp) {
  fs.writeFileSync(path.join(distDir, STAMP_FILE), `${stamp}\n`);
}

/**
 * Whether to build before serving, and why (printed on start).
 * `rebuild` is FLOWSIGHT_REBUILD: `1` always builds, `0` serves any existing build as it is, unset decides
 * by the stamps: no build, no stamp, or a stamp that differs from the source means build.
 */
export function buildDecision({ hasBuild, recordedStamp, currentStamp, rebuild }) {
  if (rebuild === '1') return { build: true, reason: 'FLOWSIGHT_REBUILD=1' };
  if (!hasBuild) return { build: true, reason: 'first start: no build yet' };
  if (rebuild === '0') return { build: false, reason: 'FLOWSIGHT_REBUILD=0: serving the existing build as it is' };
  if (recordedStamp === undefined) return { build: true, reason: 'the existing build does not record which source it was made from' };
  if (recordedStamp !== currentStamp) return { build: true, reason: 'the source changed since the last build (e.g. after a git pull)' };
  return { build: false, reason: 'the build matches the source' };
}
