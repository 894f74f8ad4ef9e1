/**
 * A directory of `az ... -o json` outputs (or ARM REST responses) as an Azure source. Files are
 * recognized by the shape of what they hold, so `nsg.json`, `export-1.json` and `rt.json` all work.
 */

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isObject } from './resource-kind';
import { SnapshotAssembler } from './snapshot-assembler';
import type { AzureSnapshot, AzureSource, SourceError } from './types';

/** Reads every `*.json` file under `dir` (recursively) into one snapshot; bad files become errors. */
export class FilesAzureSource implements AzureSource {
  readonly kind = 'files' as const;
  constructor(private readonly dir: string) {}

  async load(): Promise<AzureSnapshot> {
    const assembler = new SnapshotAssembler('files', this.dir);
    let files: string[];
    try {
      files = await listJsonFiles(this.dir);
    } catch (err) {
      assembler.addError({
        code: 'unreadable',
        message: `cannot read the Azure export directory ${this.dir}: ${(err as Error).message}`,
        where: { file: this.dir },
      });
      return assembler.finish();
    }
    for (const file of files) {
      const rel = path.relative(this.dir, file) || path.basename(file);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        assembler.addError({ code: 'unreadable', message: `cannot read ${rel}: ${(err as Error).message}`, where: { file: rel } });
        continue;
      }
      const parsed = parseJsonFile(text, rel);
      if (!parsed.ok) {
        assembler.addError(parsed.error);
        continue;
      }
      const items = topLevelObjects(parsed.value);
      if (items.length === 0 && !Array.isArray(parsed.value)) {
        assembler.addError({ code: 'unrecognized-shape', message: `${rel} holds neither a resource nor a list of resources`, where: { file: rel } });
      }
      items.forEach((item, index) => assembler.addRaw(item, { file: rel, index: Array.isArray(parsed.value) || isListResponse(parsed.value) ? index : undefined }));
    }
    return assembler.finish();
  }
}

/** Loads a directory of `az -o json` outputs. */
export function loadAzureDir(dir: string): Promise<AzureSnapshot> {
  return new FilesAzureSource(dir).load();
}

async function listJsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listJsonFiles(full)));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) out.push(full);
  }
  return out.sort();
}

type JsonParse = { ok: true; value: unknown } | { ok: false; error: SourceError };

/** JSON.parse with the file, line and column in the error (Node reports only a position on 20). */
export function parseJsonFile(text: string, file: string): JsonParse {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // az on Windows writes a BOM
  if (body.trim() === '') {
    return { ok: false, error: { code: 'malformed-json', message: `${file} is empty`, where: { file } } };
  }
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    const message = (err as Error).message;
    const { line, column } = locate(message, body);
    const at = line !== undefined ? ` at line ${line}, column ${column}` : '';
    return { ok: false, error: { code: 'malformed-json', message: `${file} is not valid JSON${at}: ${message}`, where: { file, line, column } } };
  }
}

function locate(message: string, text: string): { line?: number; column?: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /at position (\d+)/.exec(message);
  if (!pos) return message.includes('Unexpected end of JSON') ? lineColumnAt(text, text.length) : {};
  return lineColumnAt(text, Number(pos[1]));
}

function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function isListResponse(value: unknown): value is { value: unknown[] } {
  return isObject(value) && Array.isArray(value.value);
}

/** `az ... list` prints an array; ARM REST returns `{ value: [...] }`; `show` prints one object. */
function topLevelObjects(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isListResponse(value)) return value.value;
  return isObject(value) ? [value] : [];
}
