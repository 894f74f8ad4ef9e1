import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDecision, readStamp, sourceStamp, writeStamp } from './build-stamp.mjs';

describe('buildDecision: when `npm start` builds before serving', () => {
  const same = { hasBuild: true, recordedStamp: 'abc', currentStamp: 'abc' };
  it.each([
    ['no build yet', { ...same, hasBuild: false, recordedStamp: undefined }, undefined, true, /first start/],
    ['the build matches the source', same, undefined, false, /matches the source/],
    ['the source changed (a git pull)', { ...same, currentStamp: 'def' }, undefined, true, /source changed since the last build/],
    ['a build without a stamp (built by hand)', { ...same, recordedStamp: undefined }, undefined, true, /does not record/],
    ['FLOWSIGHT_REBUILD=1 forces a build of an up-to-date source', same, '1', true, /FLOWSIGHT_REBUILD=1/],
    ['FLOWSIGHT_REBUILD=0 serves a stale build as it is', { ...same, currentStamp: 'def' }, '0', false, /FLOWSIGHT_REBUILD=0/],
    ['FLOWSIGHT_REBUILD=0 still builds when there is nothing to serve', { ...same, hasBuild: false }, '0', true, /first start/],
  ])('%s', (_name, state, rebuild, build, reason) => {
    const d = buildDecision({ ...state, rebuild });
    expect(d.build).toBe(build);
    expect(d.reason).toMatch(reason);
  });
});

describe('sourceStamp: a hash of what the build reads', () => {
  let root: string;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-stamp-'));
    write('lib/a.ts', 'export const a = 1;\n');
    write('app/page.tsx', 'export default function P() { return null; }\n');
    write('package-lock.json', '{}\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('changes when a source file changes, is added or is renamed', () => {
    const before = sourceStamp(root);
    expect(sourceStamp(root)).toBe(before);
    write('lib/a.ts', 'export const a = 2;\n');
    const edited = sourceStamp(root);
    expect(edited).not.toBe(before);
    write('lib/b.ts', '');
    const added = sourceStamp(root);
    expect(added).not.toBe(edited);
    fs.renameSync(path.join(root, 'lib/b.ts'), path.join(root, 'lib/c.ts'));
    expect(sourceStamp(root)).not.toBe(added);
  });

  it('changes with the lockfile (a dependency update) but not with tests or test data', () => {
    const before = sourceStamp(root);
    write('lib/a.test.ts', 'test');
    write('lib/azure/testdata/x.json', '{}');
    expect(sourceStamp(root)).toBe(before);
    write('package-lock.json', '{"lockfileVersion":3}\n');
    expect(sourceStamp(root)).not.toBe(before);
  });

  it('changes with the security headers next.config.ts imports, not with the other scripts', () => {
    write('scripts/security-headers.mjs', 'export const HSTS_HEADER = {};\n');
    write('scripts/serve.mjs', '');
    const before = sourceStamp(root);
    write('scripts/serve.mjs', '// served differently\n');
    expect(sourceStamp(root)).toBe(before);
    write('scripts/security-headers.mjs', 'export const HSTS_HEADER = { key: "x" };\n');
    expect(sourceStamp(root)).not.toBe(before);
  });

  it('is recorded beside the build and read back; a dist dir without it has none', () => {
    const dist = path.join(root, '.next');
    fs.mkdirSync(dist);
    expect(readStamp(dist)).toBeUndefined();
    writeStamp(dist, sourceStamp(root));
    expect(readStamp(dist)).toBe(sourceStamp(root));
  });
});
