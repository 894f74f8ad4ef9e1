import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../azure/types';
import { serviceTagIndex, unexpandedTagMessage } from './azure-service-tags';

/**
 * The published lists (service-tags-overview.md, "Discover service tags by using downloadable JSON
 * files" and the Service Tag Discovery API) name tags case-insensitively across regions; several
 * lists may be loaded at once. Prefixes here are documentation ranges (RFC 5737, RFC 3849).
 */
function snapshot() {
  const s = emptySnapshot('files', 'test');
  s.serviceTags.push(
    {
      origin: 'weekly.json',
      cloud: 'Public',
      changeNumber: '300',
      tags: [
        { name: 'AzureCloud.westeurope', addressPrefixes: ['198.51.100.0/26', '198.51.100.64/26', '192.0.2.17/32', '2001:db8:aa::/48'] },
        { name: 'Storage', addressPrefixes: ['203.0.113.128/25'] },
      ],
    },
    { origin: 'api.json', tags: [{ name: 'azurecloud.westeurope', addressPrefixes: ['203.0.113.0/28'] }] },
  );
  return s;
}

describe('serviceTagIndex', () => {
  const index = serviceTagIndex(snapshot());

  it.each([
    ['198.51.100.0', true], // first address of the first prefix
    ['198.51.100.127', true], // last address of two adjacent /26 merged
    ['198.51.100.128', false], // just past them
    ['192.0.2.17', true], // a bare /32
    ['192.0.2.16', false],
    ['203.0.113.5', true], // from the second list, merged by case-insensitive name
    ['2001:db8:aa:1::9', true],
    ['2001:db8:ab::1', false],
    ['::ffff:198.51.100.3', true], // IPv4-mapped IPv6 is the IPv4 address
  ])('AzureCloud.WestEurope contains %s: %s', (ip, expected) => {
    expect(index.contains('AzureCloud.WestEurope', ip)).toBe(expected);
  });

  it('says undefined (not false) for a tag that is not loaded, and counts tags by name', () => {
    expect(index.contains('Sql', '203.0.113.200')).toBeUndefined();
    expect(index.has('storage')).toBe(true);
    expect(index.has('Sql')).toBe(false);
    expect(index.size).toBe(2);
  });

  it('tells a person what is missing and how to load it', () => {
    expect(unexpandedTagMessage('Sql', index)).toMatch(/service tag Sql cannot be expanded: it is not among the 2 tags loaded from weekly\.json \(Public, change 300\), api\.json .*az network list-service-tags --location/);
    expect(unexpandedTagMessage('AzureCloud', serviceTagIndex(emptySnapshot('demo', 'x')))).toMatch(/no service tag list is loaded/);
  });

  it('a 0.0.0.0/0 prefix covers every IPv4 address (interval arithmetic at the edges)', () => {
    const s = emptySnapshot('files', 't');
    s.serviceTags.push({ origin: 'x', tags: [{ name: 'Everything', addressPrefixes: ['0.0.0.0/0'] }] });
    const i = serviceTagIndex(s);
    expect(i.contains('Everything', '255.255.255.255')).toBe(true);
    expect(i.contains('Everything', '0.0.0.0')).toBe(true);
  });
});
