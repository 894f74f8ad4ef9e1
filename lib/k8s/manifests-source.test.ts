import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ManifestsSource } from './manifests-source';
import { parseManifestText } from './parse-manifests';
import { formatSourceError } from './source-error';

const MULTI = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
---
kind: NetworkPolicy
metadata:
  name: broken
  namespace: shop
spec:
  podSelector: { matchLabels: [ }
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: cluster-dns
spec:
  endpointSelector: {}
---
`;

const LIST_JSON = JSON.stringify(
  {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'web' } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d6f7', controller: true }] }, spec: { hostNetwork: false, containers: [{ ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }] }] }, status: { podIP: '10.0.0.7' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop' } },
    ],
  },
  null,
  2,
);

describe('parseManifestText', () => {
  it('loads the good documents and reports each bad one with document index and line', () => {
    const r = parseManifestText(MULTI, 'p.yaml');
    expect(r.objects.map((o) => `${o.kind}/${o.value.name}`)).toEqual(['NetworkPolicy/default-deny', 'CiliumClusterwideNetworkPolicy/cluster-dns']);
    expect(r.errors).toEqual([
      // A kind Flowsight does not need is a notice, counted by kind (not an input problem).
      { code: 'skipped-kind', message: 'ConfigMap (v1)', where: { file: 'p.yaml', documentIndex: 1, line: 9 } },
      { code: 'yaml-syntax', message: expect.any(String), where: expect.objectContaining({ file: 'p.yaml', documentIndex: 2, line: expect.any(Number) }) },
    ]);
    const syntaxLine = r.errors[1].where.line ?? 0;
    expect(syntaxLine).toBeGreaterThanOrEqual(14);
    expect(syntaxLine).toBeLessThanOrEqual(21);
    expect(formatSourceError(r.errors[0])).toMatch(/^p\.yaml doc 1 line 9: ConfigMap \(v1\) \[skipped-kind\]/);
  });

  it('unwraps kind: List and reports a broken item with its own line', () => {
    const r = parseManifestText(LIST_JSON, 'l.json');
    expect(r.objects.map((o) => o.kind)).toEqual(['Namespace', 'Pod']);
    const pod = r.objects[1].value;
    expect(pod).toMatchObject({ ip: '10.0.0.7', workload: { kind: 'ReplicaSet', name: 'web-5d6f7' }, containerPorts: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] });
    expect(r.objects[0].value).toMatchObject({ labels: { team: 'web', 'kubernetes.io/metadata.name': 'shop' } });
    const thirdItemLine = LIST_JSON.split('\n').lastIndexOf('    {') + 1;
    expect(r.errors).toEqual([{ code: 'invalid-object', message: expect.stringContaining('item 2'), where: { file: 'l.json', documentIndex: 0, line: thirdItemLine } }]);
  });

  it('collapses a ReplicaSet owner into its Deployment when the pod-template-hash matches', () => {
    const r = parseManifestText(
      'kind: Pod\nmetadata:\n  name: api-7c9-x\n  namespace: a\n  labels: {pod-template-hash: 7c9}\n  ownerReferences: [{kind: ReplicaSet, name: api-7c9, controller: true}]\n',
      'pod.yaml',
    );
    expect(r.objects[0].value).toMatchObject({ workload: { kind: 'Deployment', name: 'api' } });
  });
});

describe('ManifestsSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-manifests-'));
    await mkdir(path.join(dir, 'nested'));
    await writeFile(path.join(dir, 'policies.yaml'), MULTI);
    await writeFile(path.join(dir, 'nested', 'objects.json'), LIST_JSON);
    await writeFile(path.join(dir, 'README.md'), '# not a manifest');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads a directory recursively and keeps every loadable object', async () => {
    const source = new ManifestsSource(dir);
    await source.start();
    const snap = source.snapshot();
    expect(snap.namespaces.map((n) => n.name)).toEqual(['shop']);
    expect(snap.pods.map((p) => p.name)).toEqual(['web-1']);
    expect(snap.policies.map((p) => p.name).sort()).toEqual(['cluster-dns', 'default-deny']);
    const status = source.status();
    expect(status.kind).toBe('manifests');
    expect(status.errors.map((e) => `${path.basename(e.where.file ?? '')}#${e.where.documentIndex}:${e.code}`)).toEqual([
      'objects.json#0:invalid-object',
      'policies.yaml#1:skipped-kind',
      'policies.yaml#2:yaml-syntax',
    ]);
  });

  it('reads a single file, and reports a missing path as an error value', async () => {
    const one = new ManifestsSource(path.join(dir, 'policies.yaml'));
    await one.start();
    expect(one.snapshot().policies).toHaveLength(2);
    const missing = new ManifestsSource(path.join(dir, 'nope'));
    await missing.start();
    expect(missing.snapshot().policies).toEqual([]);
    expect(missing.status().errors).toEqual([expect.objectContaining({ code: 'file-unreadable' })]);
  });
});

const POLICY = (name: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: shop
spec:
  podSelector: {}
`;

/** A "billion laughs": 9^8 strings from a few hundred bytes if every alias were expanded. */
const ALIAS_BOMB = `kind: NetworkPolicy
metadata: {name: bomb, namespace: shop}
spec:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
`;

const UNDEFINED_ALIAS = `${POLICY('first')}---
kind: NetworkPolicy
metadata:
  name: broken
  namespace: *nowhere
spec: {}
---
${POLICY('third')}`;

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const names = (s: ManifestsSource) => s.snapshot().policies.map((p) => p.name).sort();
const codesByFile = (s: ManifestsSource) => s.status().errors.map((e) => `${path.basename(e.where.file ?? '')}:${e.code}`);

describe('parseManifestText on hostile YAML', () => {
  it('an undefined alias is an error with file, document index and line; the other documents load', () => {
    const r = parseManifestText(UNDEFINED_ALIAS, 'alias.yaml');
    expect(r.objects.map((o) => o.value.name)).toEqual(['first', 'third']);
    expect(r.errors).toEqual([{ code: 'yaml-syntax', message: expect.stringContaining('*nowhere'), where: { file: 'alias.yaml', documentIndex: 1, line: 12, column: 14 } }]);
  });

  it('an alias bomb is refused at once, with file and line, and the documents after it load', () => {
    const t0 = performance.now();
    const r = parseManifestText(`${ALIAS_BOMB}---\n${POLICY('after')}`, 'bomb.yaml');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.objects.map((o) => o.value.name)).toEqual(['after']);
    expect(r.errors).toEqual([{ code: 'yaml-alias-limit', message: expect.stringMatching(/alias/), where: { file: 'bomb.yaml', documentIndex: 0, line: 1 } }]);
    expect(formatSourceError(r.errors[0])).toMatch(/^bomb\.yaml doc 0 line 1: .*alias/);
  });
});

describe('ManifestsSource on hostile input', () => {
  let dir: string;
  const sources: ManifestsSource[] = [];
  const track = (s: ManifestsSource) => (sources.push(s), s);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-hostile-'));
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const freshDir = async (name: string) => {
    const d = path.join(dir, name);
    await mkdir(d, { recursive: true });
    return d;
  };

  it('starts on a missing path (also when watching), reports it in status, and loads the path once it appears', async () => {
    const d = path.join(dir, 'later');
    const source = track(new ManifestsSource(d, { watch: true, watchRetryMs: 50, debounceMs: 20 }));
    await source.start();
    expect(source.snapshot().policies).toEqual([]);
    expect(source.status().errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'file-unreadable', where: { file: d } })]));
    await mkdir(d);
    await writeFile(path.join(d, 'p.yaml'), POLICY('arrived'));
    await until(() => names(source).includes('arrived'), 'the path to be loaded once it exists');
    await until(() => source.status().errors.length === 0, 'the errors to clear');
  });

  it('a bad file added while watching: no unhandled rejection, the good files (old and new) load', async () => {
    const d = await freshDir('watched');
    await writeFile(path.join(d, 'a.yaml'), POLICY('a'));
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      const source = track(new ManifestsSource(d, { watch: true, debounceMs: 20 }));
      await source.start();
      expect(names(source)).toEqual(['a']);
      await writeFile(path.join(d, 'bomb.yaml'), ALIAS_BOMB);
      await writeFile(path.join(d, 'alias.yaml'), UNDEFINED_ALIAS);
      await writeFile(path.join(d, 'z.yaml'), POLICY('z'));
      await until(() => names(source).includes('z'), 'the new good file to load');
      await until(() => codesByFile(source).includes('bomb.yaml:yaml-alias-limit'), 'the bomb to be reported');
      expect(names(source)).toEqual(['a', 'first', 'third', 'z']);
      expect(codesByFile(source)).toEqual(['alias.yaml:yaml-syntax', 'bomb.yaml:yaml-alias-limit']);
      expect(source.status().errors.every((e) => e.where.line !== undefined)).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('a reload that cannot read the root keeps the last good objects, marked stale; reloads do not overlap', async () => {
    const d = await freshDir('vanishing');
    await writeFile(path.join(d, 'a.yaml'), POLICY('a'));
    const source = track(new ManifestsSource(d));
    await source.start();
    await Promise.all([source.reload(), source.reload(), source.reload()]);
    expect(names(source)).toEqual(['a']);
    await rename(d, `${d}-moved`);
    await source.reload();
    expect(names(source)).toEqual(['a']);
    expect(source.status()).toMatchObject({ stale: true, errors: [expect.objectContaining({ code: 'file-unreadable' })] });
    await rename(`${d}-moved`, d);
    await source.reload();
    expect(source.status()).toMatchObject({ stale: false, errors: [] });
  });

  it('refuses a 120 MB manifest by its size, with a message naming it and the cap; the others load', async () => {
    const d = await freshDir('huge');
    await writeFile(path.join(d, 'a.yaml'), POLICY('a'));
    // Sparse: 120 MB of size without 120 MB of disk. Reading it would take minutes and run out of memory.
    await writeFile(path.join(d, 'huge.yaml'), '');
    await truncate(path.join(d, 'huge.yaml'), 120 * 1024 * 1024);
    await writeFile(path.join(d, 'small-but-over.yaml'), `${POLICY('over')}# ${'x'.repeat(2000)}\n`);
    const source = track(new ManifestsSource(d));
    const t0 = performance.now();
    await source.start();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(names(source)).toEqual(['a', 'over']);
    expect(source.status().errors).toEqual([{ code: 'file-too-large', message: 'is 120 MB, over the limit of 8 MB per file: skipped (split it)', where: { file: path.join(d, 'huge.yaml') } }]);
    expect(formatSourceError(source.status().errors[0])).toMatch(/huge\.yaml: is 120 MB, over the limit of 8 MB per file/);
    const capped = track(new ManifestsSource(d, { limits: { maxFileBytes: 1024 } }));
    await capped.start();
    expect(names(capped)).toEqual(['a']);
    expect(codesByFile(capped)).toEqual(['huge.yaml:file-too-large', 'small-but-over.yaml:file-too-large']);
  });

  it('caps the number of files and the bytes read in all, saying so', async () => {
    const d = await freshDir('many');
    for (const n of ['a', 'b', 'c']) await writeFile(path.join(d, `${n}.yaml`), POLICY(n));
    const fewFiles = track(new ManifestsSource(d, { limits: { maxFiles: 2 } }));
    await fewFiles.start();
    expect(names(fewFiles)).toEqual(['a', 'b']);
    expect(fewFiles.status().errors).toEqual([expect.objectContaining({ code: 'too-many-files', message: 'holds more files than the cap: 1 skipped (at most 2 files are read)' })]);
    const fewBytes = track(new ManifestsSource(d, { limits: { maxTotalBytes: POLICY('a').length * 2 } }));
    await fewBytes.start();
    expect(names(fewBytes)).toEqual(['a', 'b']);
    expect(codesByFile(fewBytes)).toEqual(['c.yaml:file-too-large']);
  });

  it.skipIf(process.platform === 'win32')('skips a FIFO named x.yaml without hanging', async () => {
    const d = await freshDir('fifo');
    await writeFile(path.join(d, 'a.yaml'), POLICY('a'));
    execFileSync('mkfifo', [path.join(d, 'x.yaml')]);
    const source = track(new ManifestsSource(d));
    await source.start();
    expect(names(source)).toEqual(['a']);
    expect(source.status().errors).toEqual([{ code: 'not-regular-file', message: 'is a FIFO, not a regular file: skipped', where: { file: path.join(d, 'x.yaml') } }]);
    // A FIFO given as the path itself is refused too (the server's start-up check says so earlier).
    const root = track(new ManifestsSource(path.join(d, 'x.yaml')));
    await root.start();
    expect(root.status().errors).toEqual([expect.objectContaining({ code: 'file-unreadable', message: expect.stringMatching(/is a FIFO, not a regular file or directory/) })]);
  });

  it.skipIf(process.platform === 'win32')('skips other non-regular files: a socket, a link out of the tree, a dangling link; follows a link inside it', async () => {
    const d = await freshDir('special');
    const outside = await freshDir('outside');
    await writeFile(path.join(outside, 'secret.yaml'), POLICY('outside'));
    await writeFile(path.join(d, 'a.yaml'), POLICY('a'));
    await symlink(path.join(outside, 'secret.yaml'), path.join(d, 'out.yaml'));
    await symlink(path.join(d, 'nowhere.yaml'), path.join(d, 'dangling.yaml'));
    await mkdir(path.join(d, 'base'));
    await writeFile(path.join(d, 'base', 'inner.txt'), POLICY('inside'));
    await symlink(path.join(d, 'base', 'inner.txt'), path.join(d, 'in.yaml'));
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(path.join(d, 's.yaml'), r));
    try {
      const source = track(new ManifestsSource(d));
      await source.start();
      expect(names(source)).toEqual(['a', 'inside']);
      expect(codesByFile(source)).toEqual(['dangling.yaml:file-unreadable', 'out.yaml:not-regular-file', 's.yaml:not-regular-file']);
      expect(source.status().errors[1].message).toMatch(/symbolic link out of the tree/);
      expect(source.status().errors[2].message).toMatch(/^is a socket/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a file the worker cannot finish (out of memory, too slow) is an error naming it; the other files load', async () => {
    const d = await freshDir('heavy');
    await writeFile(path.join(d, 'a.yaml'), POLICY('a'));
    const items = Array.from({ length: 6000 }, (_, i) => `- {kind: Pod, metadata: {name: p${i}, namespace: n, labels: {a: b}}}\n`);
    await writeFile(path.join(d, 'b-heavy.yaml'), `kind: List\nitems:\n${items.join('')}`);
    await writeFile(path.join(d, 'c.yaml'), POLICY('c'));
    const small = track(new ManifestsSource(d, { worker: { maxHeapMb: 8 } }));
    await small.start();
    expect(names(small)).toEqual(['a', 'c']);
    expect(small.status().errors).toEqual([{ code: 'parse-failed', message: 'parsing needs more than 8 MB of memory: skipped', where: { file: path.join(d, 'b-heavy.yaml') } }]);
    const slow = track(new ManifestsSource(d, { worker: { timeoutMs: 1 } }));
    await slow.start();
    expect(slow.status().errors.map((e) => e.message)).toContain('parsing took longer than 1 ms: skipped');
  }, 60_000);

  it('keeps the event loop responsive while a big manifest parses (the in-thread parser does not)', async () => {
    const d = await freshDir('big');
    const pods: string[] = ['apiVersion: v1\nkind: List\nitems:\n'];
    let size = 0;
    for (let i = 0; size < 0.75 * 1024 * 1024; i++) {
      const item = `- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: web-${i}\n    namespace: ns-${i % 20}\n    labels: {app: web-${i % 100}}\n  status:\n    podIP: 10.1.${(i >> 8) & 255}.${i & 255}\n`;
      pods.push(item);
      size += item.length;
    }
    await writeFile(path.join(d, 'pods.yaml'), pods.join(''));

    /** Runs `work` while a 5 ms timer ticks; returns the longest gap between ticks and the total time. */
    const measure = async (work: () => Promise<void>) => {
      let last = performance.now();
      let maxGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 5);
      const t0 = performance.now();
      await work();
      const total = performance.now() - t0;
      clearInterval(timer);
      maxGap = Math.max(maxGap, performance.now() - last);
      return { maxGap, total };
    };

    const worker = track(new ManifestsSource(d, { parser: 'worker' }));
    const w = await measure(() => worker.start());
    expect(worker.snapshot().pods.length).toBeGreaterThan(5_000);
    const inline = track(new ManifestsSource(d, { parser: 'inline' }));
    const i = await measure(() => inline.start());
    expect(inline.snapshot().pods).toEqual(worker.snapshot().pods);
    console.info(`0.75 MB manifest: worker parse ${w.total.toFixed(0)} ms, longest event-loop stall ${w.maxGap.toFixed(0)} ms; in-thread ${i.total.toFixed(0)} ms, stall ${i.maxGap.toFixed(0)} ms`);
    // The control: parsing in this thread stalls it for most of the parse.
    expect(i.maxGap / i.total).toBeGreaterThan(0.5);
    // In the worker, no stall is more than a small share of the parse (generous: test machines are busy).
    expect(w.maxGap / w.total).toBeLessThan(0.25);
  }, 60_000);
});
