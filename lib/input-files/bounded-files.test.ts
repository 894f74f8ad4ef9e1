import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeProblem, formatBytes, listBoundedFiles, readBoundedFile } from './bounded-files';

const OPTS = { extensions: ['.yaml'], allowFileRoot: true } as const;
const base = (p: string) => path.basename(p);

describe('listBoundedFiles and readBoundedFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-files-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('walks in sorted order, skips hidden names and other extensions, and reads what it lists', async () => {
    const d = path.join(dir, 'walk');
    await mkdir(path.join(d, 'sub'), { recursive: true });
    await mkdir(path.join(d, '.git'));
    await writeFile(path.join(d, 'b.yaml'), 'b: 1\n');
    await writeFile(path.join(d, 'A.YAML'), 'a: 1\n');
    await writeFile(path.join(d, 'sub', 'c.yaml'), 'c: 1\n');
    await writeFile(path.join(d, '.git', 'x.yaml'), 'x: 1\n');
    await writeFile(path.join(d, 'notes.md'), '#\n');
    const l = await listBoundedFiles(d, OPTS);
    expect(l.files.map((f) => path.relative(d, f.path))).toEqual(['A.YAML', 'b.yaml', path.join('sub', 'c.yaml')]);
    expect(l.problems).toEqual([]);
    const r = await readBoundedFile(l.files[1]);
    expect(r.ok && r.bytes.toString()).toBe('b: 1\n');
  });

  it.skipIf(process.platform === 'win32')('a path that became a FIFO after it was listed is refused at read time, without blocking', async () => {
    const fifo = path.join(dir, 'late.yaml');
    execFileSync('mkfifo', [fifo]);
    const r = await readBoundedFile({ path: fifo, openPath: fifo });
    expect(r).toEqual({ ok: false, problem: { kind: 'not-regular', path: fifo, reason: 'is a FIFO, not a regular file: skipped' } });
  });

  it('a file that grew past the cap since it was listed is refused', async () => {
    const f = path.join(dir, 'grow.yaml');
    await writeFile(f, 'a: 1\n');
    const [listed] = (await listBoundedFiles(f, { ...OPTS, limits: { maxFileBytes: 16 } })).files;
    await appendFile(f, 'x'.repeat(64));
    const r = await readBoundedFile(listed, 16);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatchObject({ kind: 'too-large', path: f, reason: expect.stringMatching(/^is 69 bytes, over the limit of 16 bytes/) });
  });

  it('a file swapped for a symbolic link after it was listed is refused (no following links out of the tree)', async () => {
    const f = path.join(dir, 'swap.yaml');
    await symlink('/etc/hostname', f);
    const r = await readBoundedFile({ path: f, openPath: f });
    expect(r).toMatchObject({ ok: false, problem: { kind: 'unreadable', reason: expect.stringMatching(/became a symbolic link/) } });
  });

  it('stops walking a huge tree after the entry cap, saying so', async () => {
    const d = path.join(dir, 'wide');
    await mkdir(d);
    for (let i = 0; i < 30; i++) await writeFile(path.join(d, `f${String(i).padStart(2, '0')}.txt`), '');
    await writeFile(path.join(d, 'z.yaml'), 'z: 1\n');
    const l = await listBoundedFiles(d, { ...OPTS, limits: { maxEntries: 10 } });
    expect(l.files).toEqual([]);
    expect(l.problems).toEqual([expect.objectContaining({ kind: 'too-many', reason: expect.stringMatching(/more than 10 directory entries/) })]);
  });

  it('a root that must be a directory and is a file is a root problem', async () => {
    const f = path.join(dir, 'root.yaml');
    await writeFile(f, '');
    const l = await listBoundedFiles(f, { ...OPTS, allowFileRoot: false });
    expect(l.rootProblem).toEqual({ kind: 'not-regular', path: f, reason: 'is a regular file, not a directory' });
    expect(describeProblem(l.rootProblem!, base(f))).toBe('root.yaml is a regular file, not a directory');
  });

  it('formats sizes for messages', () => {
    expect([formatBytes(300), formatBytes(8 * 1024 * 1024), formatBytes(1536), formatBytes(125_829_120)]).toEqual(['300 bytes', '8 MB', '1.5 KB', '120 MB']);
  });
});
