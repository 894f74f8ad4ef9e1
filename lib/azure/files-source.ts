/**
 * A directory of `az ... -o json` outputs (or ARM REST responses) as an Azure source. Files are
 * recognized by the shape of what they hold, so `nsg.json`, `export-1.json` and `rt.json` all work.
 * Only regular files are read, within the caps of bounded-files.ts (size, count, total bytes); a
 * FIFO, socket or device named `*.json`, or a file over the cap, is an error naming it.
 */

import path from 'node:path';
import { describeProblem, listBoundedFiles, readBoundedFile, type FileLimits } from '../input-files/bounded-files';
import { isObject } from './resource-kind';
import { SnapshotAssembler } from './snapshot-assembler';
import type { AzureSnapshot, AzureSource, SourceError } from './types';

/** Reads every `*.json` file under `dir` (recursively) into one snapshot; bad files become errors. */
export class FilesAzureSource implements AzureSource {
  readonly kind = 'files' as const;
  constructor(
    private readonly dir: string,
    private readonly limits: Partial<FileLimits> = {},
  ) {}

  async load(): Promise<AzureSnapshot> {
    const assembler = new SnapshotAssembler('files', this.dir);
    const rel = (file: string) => path.relative(this.dir, file) || path.basename(file);
    const listing = await listBoundedFiles(this.dir, { extensions: ['.json'], limits: this.limits, allowFileRoot: false, skipHidden: false });
    if (listing.rootProblem) {
      const p = listing.rootProblem;
      const message = p.cause ? `cannot read the Azure export directory ${this.dir}: ${p.cause}` : `the Azure export directory ${describeProblem(p)}`;
      assembler.addError({ code: 'unreadable', message, where: { file: this.dir } });
      return assembler.finish();
    }
    for (const p of listing.problems) assembler.addError({ code: 'unreadable', message: describeProblem(p, rel(p.path)), where: { file: rel(p.path) } });
    for (const file of listing.files) {
      const name = rel(file.path);
      const read = await readBoundedFile({ path: name, openPath: file.openPath }, this.limits.maxFileBytes);
      if (!read.ok) {
        assembler.addError({ code: 'unreadable', message: describeProblem(read.problem), where: { file: name } });
        continue;
      }
      const parsed = parseJsonFile(read.bytes.toString('utf8'), name);
      if (!parsed.ok) {
        assembler.addError(parsed.error);
        continue;
      }
      const items = topLevelObjects(parsed.value);
      if (items.length === 0 && !Array.isArray(parsed.value)) {
        assembler.addError({ code: 'unrecognized-shape', message: `${name} holds neither a resource nor a list of resources`, where: { file: name } });
      }
      items.forEach((item, index) => assembler.addRaw(item, { file: name, index: Array.isArray(parsed.value) || isListResponse(parsed.value) ? index : undefined }));
    }
    return assembler.finish();
  }
}

/** Loads a directory of `az -o json` outputs. */
export function loadAzureDir(dir: string, limits?: Partial<FileLimits>): Promise<AzureSnapshot> {
  return new FilesAzureSource(dir, limits).load();
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
