/** CIDR blocks with exceptions (NetworkPolicy ipBlock, Cilium CIDRSet), parsed once (lib/net/ip.ts). */

import { inRange, parseCidr, parseIp, type IpAddress, type IpRange as Range } from '../net/ip';
import type { PolicyErrorSink } from './policy-error';

export type { IpAddress } from '../net/ip';

export interface CidrBlock {
  readonly cidr: string;
  readonly except: readonly string[];
  contains(ip: IpAddress): boolean;
}

function parseRange(text: string): Range | undefined {
  // The API server takes no spaces in a CIDR: neither do we.
  if (text.trim() !== text) return undefined;
  // A bare address is a host route, as Cilium's toCIDR accepts.
  if (!text.includes('/')) {
    const ip = parseIp(text);
    return ip ? [ip, ip.kind() === 'ipv4' ? 32 : 128] : undefined;
  }
  return parseCidr(text);
}

class Block implements CidrBlock {
  constructor(
    readonly cidr: string,
    readonly except: readonly string[],
    private readonly range: Range,
    private readonly exceptRanges: readonly Range[],
  ) {}

  contains(ip: IpAddress): boolean {
    if (!inRange(ip, this.range)) return false;
    for (let i = 0; i < this.exceptRanges.length; i++) if (inRange(ip, this.exceptRanges[i])) return false;
    return true;
  }
}

/** Compiles `cidr` minus `except`; reports a bad CIDR or an except outside the block at `field`. */
export function compileCidr(cidr: unknown, except: unknown, field: string, errors: PolicyErrorSink): CidrBlock | undefined {
  if (typeof cidr !== 'string') {
    errors.error('invalid-cidr', `${field}.cidr`, 'cidr must be a string such as 10.0.0.0/8');
    return undefined;
  }
  const range = parseRange(cidr);
  if (!range) {
    errors.error('invalid-cidr', `${field}.cidr`, `${cidr} is not a CIDR`);
    return undefined;
  }
  const exceptList = Array.isArray(except) ? except.map(String) : [];
  const exceptRanges: Range[] = [];
  for (let i = 0; i < exceptList.length; i++) {
    const r = parseRange(exceptList[i]);
    if (!r || !inRange(r[0], range) || r[1] < range[1]) {
      errors.error('invalid-cidr', `${field}.except[${i}]`, `${exceptList[i]} is not a CIDR inside ${cidr}`);
      return undefined;
    }
    exceptRanges.push(r);
  }
  return new Block(cidr, exceptList, range, exceptRanges);
}

/** True for 0.0.0.0/0 or ::/0 without exceptions: "the whole internet". */
export function isAnyAddress(block: CidrBlock): boolean {
  return (block.cidr === '0.0.0.0/0' || block.cidr === '::/0') && block.except.length === 0;
}
