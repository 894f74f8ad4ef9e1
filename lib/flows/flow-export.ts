/**
 * The flows table as evidence a person can attach to a ticket: CSV for spreadsheets and JSON with
 * every field. Cells are escaped per RFC 4180 and guarded against formula injection, because pod
 * names, DNS queries, URLs and labels come from the cluster and whoever controls a workload can
 * choose them (OWASP "CSV Injection").
 */

import { csvCell } from '../util/csv';
import { decidedBy, l7Summary, peerName } from './flow-format';
import type { FlowRecord } from './flow-record';

/** The CSV columns, in order, each a header name and how to read it off a flow. */
const CSV_COLUMNS: [string, (f: FlowRecord) => string | number | boolean | null][] = [
  ['time', (f) => new Date(f.time).toISOString()],
  ['verdict', (f) => f.verdict],
  ['drop_reason', (f) => f.dropReason],
  ['direction', (f) => f.direction],
  ['is_reply', (f) => f.isReply],
  ['source', (f) => peerName(f.source)],
  ['source_namespace', (f) => f.source.namespace],
  ['source_pod', (f) => f.source.pod],
  ['source_ip', (f) => f.source.ip],
  ['source_port', (f) => f.source.port],
  ['destination', (f) => peerName(f.destination)],
  ['destination_namespace', (f) => f.destination.namespace],
  ['destination_pod', (f) => f.destination.pod],
  ['destination_ip', (f) => f.destination.ip],
  ['destination_port', (f) => f.destination.port],
  ['protocol', (f) => f.protocol],
  ['l7', (f) => l7Summary(f)],
  ['decided_by', (f) => decidedBy(f)],
  ['node', (f) => f.node],
  ['uuid', (f) => f.uuid],
];

export const CSV_HEADER = CSV_COLUMNS.map(([name]) => name);

export { csvCell };

/** Flows as CSV with a header row, in the order given; lines end in CRLF as RFC 4180 asks. */
export function flowsToCsv(flows: readonly FlowRecord[]): string {
  const lines = [CSV_HEADER.map(csvCell).join(',')];
  for (const f of flows) lines.push(CSV_COLUMNS.map(([, read]) => csvCell(read(f))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export interface FlowExportJson {
  exportedAt: string;
  /** The filter of the view that was exported, as its URL query (empty = no filter). */
  filter: string;
  count: number;
  flows: FlowRecord[];
}

/** Flows as JSON with every field, plus when and under which filter they were exported. */
export function flowsToJson(flows: readonly FlowRecord[], filter: string, now: Date): string {
  const doc: FlowExportJson = { exportedAt: now.toISOString(), filter, count: flows.length, flows: [...flows] };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** `flowsight-flows-20261125-101502Z.csv`: sortable, and free of characters file systems refuse. */
export function exportFileName(format: 'csv' | 'json', now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '').replace('T', '-');
  return `flowsight-flows-${stamp}.${format}`;
}
