import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { problemsOf } from './testing/config-problems';

describe('loadConfig: manifests and Azure paths, checked at start-up', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-config-'));
    file = path.join(dir, 'cluster.yaml');
    fs.writeFileSync(file, 'kind: Namespace\nmetadata: {name: a}\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts a manifests file or directory and an Azure directory', () => {
    expect(loadConfig({ FLOWSIGHT_MANIFESTS: file, FLOWSIGHT_AZURE_DIR: dir })).toMatchObject({ manifests: file, azureDir: dir });
    expect(loadConfig({ FLOWSIGHT_MANIFESTS: dir }).manifests).toBe(dir);
  });

  it('rejects a FLOWSIGHT_MANIFESTS path that does not exist', () => {
    expect(problemsOf({ FLOWSIGHT_MANIFESTS: path.join(dir, 'missing') })).toEqual([{ variable: 'FLOWSIGHT_MANIFESTS', message: expect.stringMatching(/cannot read .*missing \(ENOENT\)/) }]);
  });

  it.skipIf(process.platform === 'win32')('rejects a FLOWSIGHT_MANIFESTS path that is neither a regular file nor a directory (a FIFO), without opening it', () => {
    const fifo = path.join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(problemsOf({ FLOWSIGHT_MANIFESTS: fifo })).toEqual([{ variable: 'FLOWSIGHT_MANIFESTS', message: `${fifo} is not a regular file or a directory` }]);
  });

  it('rejects a FLOWSIGHT_AZURE_DIR that is missing or not a directory', () => {
    expect(problemsOf({ FLOWSIGHT_AZURE_DIR: path.join(dir, 'nope') })).toEqual([{ variable: 'FLOWSIGHT_AZURE_DIR', message: expect.stringMatching(/ENOENT/) }]);
    expect(problemsOf({ FLOWSIGHT_AZURE_DIR: file })).toEqual([{ variable: 'FLOWSIGHT_AZURE_DIR', message: `${file} is not a directory` }]);
  });

  it('rejects FLOWSIGHT_AZURE_RESOURCE_GROUPS (or _ENDPOINT) without FLOWSIGHT_AZURE_SUBSCRIPTION instead of ignoring it', () => {
    expect(problemsOf({ FLOWSIGHT_AZURE_RESOURCE_GROUPS: 'rg-aks' })).toEqual([{ variable: 'FLOWSIGHT_AZURE_RESOURCE_GROUPS', message: expect.stringMatching(/FLOWSIGHT_AZURE_SUBSCRIPTION is not/) }]);
    expect(problemsOf({ FLOWSIGHT_AZURE_DIR: dir, FLOWSIGHT_AZURE_RESOURCE_GROUPS: 'rg-aks' }).map((p) => p.variable)).toEqual(['FLOWSIGHT_AZURE_RESOURCE_GROUPS']);
    expect(problemsOf({ FLOWSIGHT_AZURE_ENDPOINT: 'https://arm.example' }).map((p) => p.variable)).toEqual(['FLOWSIGHT_AZURE_ENDPOINT']);
    expect(problemsOf({ FLOWSIGHT_AZURE_SUBSCRIPTION: '11111111-2222-4333-8444-555555555555', FLOWSIGHT_AZURE_RESOURCE_GROUPS: 'rg-aks' })).toEqual([]);
  });

  it('lists every problem at once', () => {
    expect(problemsOf({ FLOWSIGHT_MANIFESTS: path.join(dir, 'a'), FLOWSIGHT_AZURE_DIR: path.join(dir, 'b') }).map((p) => p.variable)).toEqual(['FLOWSIGHT_MANIFESTS', 'FLOWSIGHT_AZURE_DIR']);
  });

  it('leaves the disk alone with checkPaths: false (services started later; their sources report a vanished path)', () => {
    expect(loadConfig({ FLOWSIGHT_MANIFESTS: path.join(dir, 'gone') }, { checkPaths: false }).manifests).toBe(path.join(dir, 'gone'));
  });
});
