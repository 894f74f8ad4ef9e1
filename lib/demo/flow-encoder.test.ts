/**
 * The demo relay's encoder writes the bytes protobufjs' Writer wrote (testing/reference-flow-encoder.ts,
 * the encoder before issue 13), for the demo's flows and for what the observer API serves from the
 * history: IPv6, ICMP, SCTP, non-ASCII names, long summaries, times before 1970, no reply flag.
 */

import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { decodeGetFlowsResponse } from '../hubble/flow-decoder';
import { encodeFlowResponse } from './flow-encoder';
import { FlowGenerator } from './flow-generator';
import { scaledScenario } from './scaled-scenario';
import { demoScenario } from './scenario';
import { referenceEncodeFlowResponse } from './testing/reference-flow-encoder';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('encodeFlowResponse', () => {
  it.each([
    ['the hand-written demo', () => new FlowGenerator(demoScenario(), 11).generate(20_000, 1_795_000_000_000, 3)],
    ['a scaled demo', () => new FlowGenerator(scaledScenario(300), 11).generate(20_000, 1_795_000_000_000, 3)],
  ])('writes the bytes of the protobufjs encoder for %s', (_name, flowsOf) => {
    const flows = flowsOf();
    const differing = flows.filter((f) => hex(encodeFlowResponse(f)) !== hex(referenceEncodeFlowResponse(f)));
    expect(differing.slice(0, 3)).toEqual([]);
  });

  const base = new FlowGenerator(demoScenario(), 5).generate(400, 1_795_000_000_000, 3);
  const http = base.find((f) => f.l7?.http)!;
  const dns = base.find((f) => f.l7?.dns)!;
  const drop = base.find((f) => f.verdict === 'DROPPED')!;
  const edited = (f: FlowRecord, change: Partial<FlowRecord>): FlowRecord => ({ ...f, ...change });
  it.each([
    ['IPv6 addresses', edited(drop, { source: { ...drop.source, ip: 'fd00:10:244::1f' }, destination: { ...drop.destination, ip: '2001:db8::42' } })],
    ['ICMPv4', edited(drop, { protocol: 'ICMPv4', icmp: { type: 8, code: 0 }, tcpFlags: [] })],
    ['ICMPv6 without a type', edited(drop, { protocol: 'ICMPv6', tcpFlags: [] })],
    ['SCTP', edited(drop, { protocol: 'SCTP', tcpFlags: [] })],
    ['no protocol', edited(drop, { protocol: '', tcpFlags: [] })],
    ['non-ASCII names and summary', edited(dns, { destination: { ...dns.destination, names: ['bücher.example', 'データ.example'] }, summary: 'DNS Answer "ünïcode" TTL: 30 ✓' })],
    ['a summary over 16 KB (three-byte lengths)', edited(http, { summary: 'x'.repeat(20_000) })],
    ['a time before 1970', edited(drop, { time: -1234.5 })],
    ['whole milliseconds (no nanos)', edited(drop, { time: 1_795_000_000_000 })],
    ['no reply flag (isReply null)', edited(drop, { isReply: null })],
    ['an unknown drop reason and every TCP flag', edited(drop, { dropReason: 'DROP_REASON_999', tcpFlags: ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'] })],
    ['empty node, uuid and summary', edited(drop, { node: '', uuid: '', summary: '' })],
    ['an HTTP exchange', http],
  ] as const)('%s', (_name, f) => {
    expect(hex(encodeFlowResponse(f))).toBe(hex(referenceEncodeFlowResponse(f)));
    expect(decodeGetFlowsResponse(Buffer.from(encodeFlowResponse(f))).kind).toBe('flow');
  });

  it('hands out bytes that later encodings never write over, across slabs and after a failed encoding', () => {
    const flows = new FlowGenerator(scaledScenario(300), 3).generate(2000, 1_795_000_000_000, 3);
    const kept = flows.map((f, i) => {
      // A flow whose L7 record cannot be encoded throws midway; the next one starts clean.
      if (i === 700) expect(() => encodeFlowResponse({ ...f, l7: { type: 'REQUEST', latencyNs: 0, http: null as never, dns: { query: 1 as never, ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: [], rrtypes: [] } } })).toThrow();
      return encodeFlowResponse(i % 500 === 0 ? { ...f, summary: 'y'.repeat(300_000) } : f);
    });
    flows.forEach((f, i) => expect(hex(kept[i]), `flow ${i}`).toBe(hex(referenceEncodeFlowResponse(i % 500 === 0 ? { ...f, summary: 'y'.repeat(300_000) } : f))));
  });
});
