/**
 * The change being written on /simulate: the editor's YAML, presets and deployed policies to delete.
 * Plain functions: what the request sends, and the edits the pickers make (no duplicates; a copied
 * policy goes after what is already in the editor as its own YAML document).
 */

import { policyIdKey, type PolicyId, type Preset, type ProposedChange } from '@/lib/what-if/proposed-change';

export interface ChangeDraft {
  yaml: string;
  presets: Preset[];
  deletes: PolicyId[];
}

export const EMPTY_DRAFT: ChangeDraft = { yaml: '', presets: [], deletes: [] };

/** The change as the API takes it: empty parts left out. */
export function proposedChange(d: ChangeDraft): ProposedChange {
  return {
    ...(d.yaml.trim() ? { yaml: d.yaml } : {}),
    ...(d.deletes.length ? { delete: d.deletes } : {}),
    ...(d.presets.length ? { presets: d.presets } : {}),
  };
}

/** Whether there is anything to simulate. */
export const draftIsEmpty = (d: ChangeDraft): boolean => !d.yaml.trim() && !d.presets.length && !d.deletes.length;

/** Adds a preset; one for the same namespace is replaced (its directions are the new ones). */
export function withPreset(d: ChangeDraft, p: Preset): ChangeDraft {
  return { ...d, presets: [...d.presets.filter((x) => x.namespace !== p.namespace), p] };
}

export function withoutPreset(d: ChangeDraft, namespace: string): ChangeDraft {
  return { ...d, presets: d.presets.filter((x) => x.namespace !== namespace) };
}

export function withDelete(d: ChangeDraft, p: PolicyId): ChangeDraft {
  return d.deletes.some((x) => policyIdKey(x) === policyIdKey(p)) ? d : { ...d, deletes: [...d.deletes, p] };
}

export function withoutDelete(d: ChangeDraft, p: PolicyId): ChangeDraft {
  return { ...d, deletes: d.deletes.filter((x) => policyIdKey(x) !== policyIdKey(p)) };
}

/** The editor's text with one more YAML document after it. */
export function appendDocument(yaml: string, doc: string): string {
  const body = doc.replace(/^---\s*\n/, '').trimEnd();
  const before = yaml.trimEnd();
  return before ? `${before}\n---\n${body}\n` : `${body}\n`;
}

/** `default deny ingress+egress in legacy`. */
export const presetWords = (p: Preset): string => `default deny ${p.directions.join('+')} in ${p.namespace}`;
