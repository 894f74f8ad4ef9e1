import { describe, expect, it } from 'vitest';
import { flow, pod, world } from '../testing/flow-fixtures';
import { CSV_HEADER, csvCell, exportFileName, flowsToCsv, flowsToJson, type FlowExportJson } from './flow-export';
import { parseCsv } from './testing/parse-csv';

const col = (name: string) => CSV_HEADER.indexOf(name);

describe('csvCell', () => {
  it('quotes cells holding a quote, comma or line break, doubling the quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
  });

  it('puts an apostrophe before a cell a spreadsheet would evaluate', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const cell = csvCell(`${start}HYPERLINK("http://evil")`);
      const [[read]] = parseCsv(`${cell}\r\n`);
      expect(read.startsWith(`'${start}`), JSON.stringify(start)).toBe(true);
    }
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(8080)).toBe('8080');
    expect(csvCell(null)).toBe('');
  });
});

describe('flowsToCsv', () => {
  const hostile = flow(pod('payments', 'payments-api-0'), world('=cmd|\' /C calc\'!A0'), {
    uuid: 'u-hostile',
    verdict: 'DROPPED',
    dropReason: 'POLICY_DENIED',
    l7: { type: 'REQUEST', latencyNs: 0, dns: { query: 'a,"b"\nc.example.', ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: [] } },
  });
  const plain = flow(pod('legacy', 'legacy-app-0'), pod('payments', 'payments-db-0', { port: 5432 }), { uuid: 'u-plain' });

  it('writes a header row, then one row per flow in the order given, CRLF line ends', () => {
    const text = flowsToCsv([plain, hostile]);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows.slice(1).map((r) => r[col('uuid')])).toEqual(['u-plain', 'u-hostile']);
    expect(rows.every((r) => r.length === CSV_HEADER.length)).toBe(true);
    expect(rows[1][col('source')]).toBe('legacy/legacy-app-0');
    expect(rows[1][col('destination_port')]).toBe('5432');
    expect(rows[1][col('time')]).toBe(new Date(plain.time).toISOString());
  });

  it('keeps commas, quotes and newlines of cluster-chosen text inside their cell', () => {
    const [, row] = parseCsv(flowsToCsv([hostile]));
    expect(row[col('l7')]).toBe('DNS A a,"b"\nc.example.');
    expect(row[col('verdict')]).toBe('DROPPED');
  });

  it('neutralises a DNS name chosen to be a formula', () => {
    const [, row] = parseCsv(flowsToCsv([hostile]));
    expect(row[col('destination')]).toBe("'=cmd|' /C calc'!A0");
  });

  it('an empty table still has its header', () => {
    expect(parseCsv(flowsToCsv([]))).toEqual([CSV_HEADER]);
  });
});

describe('flowsToJson', () => {
  it('keeps every field and the order, and says when and under which filter', () => {
    const a = flow(pod('a', 'a-0'), pod('b', 'b-0'), { uuid: 'first' });
    const b = flow(pod('c', 'c-0'), pod('d', 'd-0'), { uuid: 'second' });
    const doc = JSON.parse(flowsToJson([b, a], 'toNamespace=b', new Date('2026-11-25T10:15:02.123Z'))) as FlowExportJson;
    expect(doc.flows).toEqual([b, a]);
    expect(doc).toMatchObject({ exportedAt: '2026-11-25T10:15:02.123Z', filter: 'toNamespace=b', count: 2 });
  });
});

describe('exportFileName', () => {
  it('carries a UTC timestamp and no characters file systems refuse', () => {
    const name = exportFileName('csv', new Date('2026-11-25T10:15:02.123Z'));
    expect(name).toBe('flowsight-flows-20261125-101502Z.csv');
    expect(exportFileName('json', new Date('2026-01-02T03:04:05Z'))).toBe('flowsight-flows-20260102-030405Z.json');
  });
});
