/**
 * A proposed policy change, as a user writes it: YAML documents to add or replace (NetworkPolicy,
 * CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), policies to delete, and presets such as
 * "default-deny ingress+egress for namespace X". Parsing checks every document the way the policy
 * engine will read it and names the line and column of each problem; a change with an error runs
 * nothing. Plain TypeScript with no Node imports: the browser's editor validates as you type with it.
 */

import { LineCounter, parseAllDocuments, isMap, isSeq, type Document } from 'yaml';
import { normalizeObject } from '../k8s/normalize';
import { POLICY_KINDS, objectKey, type ClusterSnapshot, type PolicyKind, type PolicyObject } from '../k8s/types';
import { compileCiliumPolicy } from '../policy-engine/cilium-policy';
import { DEFAULT_ADDRESS_SEMANTICS } from '../policy-engine/datapath';
import { compileNetworkPolicy } from '../policy-engine/network-policy';
import { PolicyErrorSink } from '../policy-engine/policy-error';
import { defaultDenyPolicy } from '../posture/fix-manifests';

/** Longest change text accepted (a policy pull request, not a cluster dump). */
export const MAX_CHANGE_CHARS = 256 * 1024;
/**
 * Longest change the HTTP API (and so the /simulate editor) takes: the whole request body is capped at
 * 64 KB by the access gate, and JSON escaping adds to the text.
 */
export const MAX_API_CHANGE_CHARS = 56 * 1024;
export const MAX_CHANGE_DOCUMENTS = 500;
/** Alias expansions per document before it counts as an alias bomb. */
const MAX_ALIAS_COUNT = 100;

export interface PolicyId {
  kind: PolicyKind;
  /** Absent for CiliumClusterwideNetworkPolicy. */
  namespace?: string;
  name: string;
}

export type Preset = { preset: 'default-deny'; namespace: string; directions: ('ingress' | 'egress')[] };

/** What the user proposes; every part is optional, an empty change changes nothing. */
export interface ProposedChange {
  /** YAML (or JSON) documents to add or replace (`kubectl apply`: same kind, namespace and name replaces). */
  yaml?: string;
  delete?: PolicyId[];
  presets?: Preset[];
}

/** One problem with the change, where the editor can point at it (1-based line and column). */
export interface ChangeProblem {
  severity: 'error' | 'warning';
  message: string;
  /** Index of the YAML document, when the problem is in one. */
  document?: number;
  line?: number;
  column?: number;
  /** The field, as the policy compiler names it (`spec.ingress[0].from[1].podSelector`). */
  field?: string;
}

export interface ParsedChange {
  /** Policies to add or replace, with their YAML document index (presets have none). */
  apply: { policy: PolicyObject; document?: number; preset?: string }[];
  delete: PolicyId[];
  problems: ChangeProblem[];
}

export const policyIdKey = (p: { kind: string; namespace?: string; name: string }): string => `${p.kind}/${p.namespace ?? ''}/${p.name}`;

/** Parses and checks a change. `problems` with severity error mean: do not run it. */
/** Caps on what is read; generated changes (a recommendation) are read without them. */
export interface ChangeLimits {
  maxChars?: number;
  maxDocuments?: number;
}

export function parseChange(change: ProposedChange, limits: ChangeLimits = {}): ParsedChange {
  const out: ParsedChange = { apply: [], delete: [], problems: [] };
  if (change.yaml !== undefined) parseYaml(change.yaml, out, limits.maxChars ?? MAX_CHANGE_CHARS, limits.maxDocuments ?? MAX_CHANGE_DOCUMENTS);
  for (const p of change.presets ?? []) {
    const manifest = presetManifest(p);
    const r = normalizeObject(manifest);
    if (r.ok && 'manifest' in r.object.value) out.apply.push({ policy: r.object.value, preset: `${p.preset} ${p.directions.join('+')} in ${p.namespace}` });
  }
  const applied = new Set(out.apply.map((a) => policyIdKey(a.policy)));
  for (const d of change.delete ?? []) {
    if (applied.has(policyIdKey(d))) out.problems.push({ severity: 'error', message: `${d.kind} ${objectKey(d)} is both applied and deleted by the change` });
    else out.delete.push(d);
  }
  return out;
}

/** Whether a parsed change may run (no error; warnings are shown beside the result). */
export const changeRunnable = (c: ParsedChange): boolean => !c.problems.some((p) => p.severity === 'error');

/** The manifest of a preset: Kubernetes default deny, which every datapath enforces. */
export function presetManifest(p: Preset): Record<string, unknown> {
  const directions = (['ingress', 'egress'] as const).filter((d) => p.directions.includes(d)).map((d) => (d === 'ingress' ? 'Ingress' : 'Egress'));
  return defaultDenyPolicy(p.namespace, directions.length ? directions : ['Ingress', 'Egress']);
}

function parseYaml(text: string, out: ParsedChange, maxChars: number, maxDocuments: number): void {
  if (text.length > maxChars) {
    out.problems.push({ severity: 'error', message: `the change is ${text.length} characters; at most ${maxChars} are read` });
    return;
  }
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
  if (list.length > maxDocuments) {
    out.problems.push({ severity: 'error', message: `the change has ${list.length} documents; at most ${maxDocuments} are read` });
    return;
  }
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const seen = new Map<string, number>();
  list.forEach((doc, index) => {
    for (const e of doc.errors) out.problems.push({ severity: 'error', document: index, message: e.message.split('\n')[0], ...at(e.pos[0]) });
    if (doc.errors.length) return;
    // An empty document (a trailing `---`, comments only) is no object: skip it like kubectl does.
    if (doc.contents === null) return;
    const where = at(doc.contents.range?.[0] ?? 0);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      out.problems.push({ severity: 'error', document: index, message: err instanceof Error ? err.message : String(err), ...where });
      return;
    }
    // Between two `---`, or comments only, the parser gives a null scalar rather than no contents.
    if (value === null || value === undefined) return;
    const documents = listItems(value);
    if (!documents) {
      out.problems.push({ severity: 'error', document: index, message: 'a document must be an object with kind, apiVersion and metadata (or a kind: List)', ...where });
      return;
    }
    documents.forEach((item, itemIndex) => {
      const path = documents.length > 1 || (value as { items?: unknown }).items ? ['items', itemIndex] : [];
      const itemWhere = (field?: string) => locate(doc, [...path, ...fieldPath(field)], at) ?? where;
      checkDocument(item, index, itemWhere, out, seen);
    });
  });
}

/** A `kind: List`'s items, or the document itself; undefined when the document is not an object. */
function listItems(value: unknown): unknown[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as { kind?: unknown; items?: unknown };
  if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) return v.items;
  return [value];
}

type Locator = (field?: string) => { line: number; column: number };

function checkDocument(raw: unknown, document: number, where: Locator, out: ParsedChange, seen: Map<string, number>): void {
  const record = (typeof raw === 'object' && raw !== null ? raw : {}) as { kind?: unknown; apiVersion?: unknown; metadata?: { namespace?: unknown } };
  const kind = typeof record.kind === 'string' ? record.kind : undefined;
  if (!kind || !(POLICY_KINDS as readonly string[]).includes(kind)) {
    out.problems.push({ severity: 'error', document, field: 'kind', message: kind ? `kind ${kind} is not a network policy (${POLICY_KINDS.join(', ')})` : 'the document has no kind', ...where('kind') });
    return;
  }
  const expectedApi = kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : 'cilium.io/v2';
  if (record.apiVersion !== expectedApi) {
    out.problems.push({ severity: 'error', document, field: 'apiVersion', message: `apiVersion of a ${kind} is ${expectedApi}${typeof record.apiVersion === 'string' ? `, not ${record.apiVersion}` : ''}`, ...where('apiVersion') });
    return;
  }
  if (kind !== 'CiliumClusterwideNetworkPolicy' && typeof record.metadata?.namespace !== 'string') {
    out.problems.push({ severity: 'error', document, field: 'metadata.namespace', message: `a ${kind} needs metadata.namespace (the change does not assume one)`, ...where('metadata') });
    return;
  }
  const r = normalizeObject(raw);
  if (!r.ok || !('manifest' in r.object.value)) {
    out.problems.push({ severity: 'error', document, field: 'metadata.name', message: r.ok ? `${kind} is not a policy` : r.message, ...where('metadata') });
    return;
  }
  const policy = r.object.value;
  const key = policyIdKey(policy);
  const before = seen.get(key);
  if (before !== undefined) {
    out.problems.push({ severity: 'error', document, field: 'metadata.name', message: `${kind} ${objectKey(policy)} is also in document ${before + 1}: the later one would replace it`, ...where('metadata.name') });
    return;
  }
  seen.set(key, document);
  // Compile it as the engine will (Cilium semantics: a Cilium policy would be left out on another datapath, said at run time).
  const sink = new PolicyErrorSink(policy);
  if (kind === 'NetworkPolicy') compileNetworkPolicy(policy, sink, DEFAULT_ADDRESS_SEMANTICS);
  else compileCiliumPolicy(policy, sink, DEFAULT_ADDRESS_SEMANTICS);
  for (const e of sink.errors) out.problems.push({ severity: e.severity, document, field: e.where.field, message: `${kind} ${objectKey(policy)}: ${e.where.field}: ${e.message}`, ...where(e.where.field) });
  if (!sink.failed) out.apply.push({ policy, document });
}

/** `spec.ingress[0].from[1]` -> ['spec', 'ingress', 0, 'from', 1]. */
export function fieldPath(field: string | undefined): (string | number)[] {
  if (!field) return [];
  const out: (string | number)[] = [];
  for (const part of field.split('.')) {
    const name = part.replace(/\[\d+\]/g, '');
    if (name) out.push(name);
    for (const m of part.matchAll(/\[(\d+)\]/g)) out.push(Number(m[1]));
  }
  return out;
}

/** The position of the deepest node on `path` that exists in the document (the field, else its parent). */
function locate(doc: Document.Parsed, path: (string | number)[], at: (offset: number) => { line: number; column: number }): { line: number; column: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (!range) continue;
    // For a map or sequence the value's range starts at its first entry; point at the key instead when there is one.
    if (n > 0 && (isMap(node) || isSeq(node))) {
      const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[n - 1]);
        const keyRange = (pair?.key as { range?: [number, number, number] } | null)?.range;
        if (keyRange) return at(keyRange[0]);
      }
    }
    return at(range[0]);
  }
  return undefined;
}

/**
 * The cluster with the change applied (`kubectl apply` then `kubectl delete`): replaced and deleted
 * policies out, added ones in. Names what it replaced and deletions that matched nothing.
 */
export function applyChange(snapshot: ClusterSnapshot, change: ParsedChange): { snapshot: ClusterSnapshot; added: PolicyId[]; replaced: PolicyId[]; deleted: PolicyId[]; missing: PolicyId[] } {
  const applyKeys = new Set(change.apply.map((a) => policyIdKey(a.policy)));
  const deleteKeys = new Set(change.delete.map(policyIdKey));
  const existing = new Set(snapshot.policies.map(policyIdKey));
  const id = (p: PolicyId): PolicyId => ({ kind: p.kind, ...(p.namespace ? { namespace: p.namespace } : {}), name: p.name });
  const added: PolicyId[] = [];
  const replaced: PolicyId[] = [];
  for (const a of change.apply) (existing.has(policyIdKey(a.policy)) ? replaced : added).push(id(a.policy));
  const deleted = change.delete.filter((d) => existing.has(policyIdKey(d)) && !applyKeys.has(policyIdKey(d))).map(id);
  const missing = change.delete.filter((d) => !existing.has(policyIdKey(d))).map(id);
  const policies = [...snapshot.policies.filter((p) => !applyKeys.has(policyIdKey(p)) && !deleteKeys.has(policyIdKey(p))), ...change.apply.map((a) => a.policy)];
  return { snapshot: { ...snapshot, policies }, added, replaced, deleted, missing };
}
