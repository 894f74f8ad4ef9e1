import { describe, expect, it } from 'vitest';
import { compilePort, portMatches, type Protocol } from './ports';
import { PolicyErrorSink } from './policy-error';
import type { ContainerPort } from '../k8s/types';

const sink = () => new PolicyErrorSink({ kind: 'NetworkPolicy', namespace: 'ns', name: 'p' });
const WEB: ContainerPort[] = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }];

describe('ports', () => {
  const cases: [string, unknown, 'kubernetes' | 'cilium', number, Protocol, ContainerPort[] | undefined, boolean][] = [
    ['NetworkPolicy protocol defaults to TCP', { port: 53 }, 'kubernetes', 53, 'UDP', undefined, false],
    ['Cilium protocol defaults to ANY', { port: '53' }, 'cilium', 53, 'UDP', undefined, true],
    ['endPort range includes its end', { port: 8000, endPort: 8100 }, 'kubernetes', 8100, 'TCP', undefined, true],
    ['endPort range excludes beyond', { port: 8000, endPort: 8100 }, 'kubernetes', 8101, 'TCP', undefined, false],
    ['no port: every port of the protocol', { protocol: 'UDP' }, 'kubernetes', 4000, 'UDP', undefined, true],
    ['named port resolves on the destination pod', { port: 'http' }, 'kubernetes', 8080, 'TCP', WEB, true],
    ['named port: other number on this pod', { port: 'http' }, 'kubernetes', 9090, 'TCP', WEB, false],
    ['named port never matches a non-pod destination', { port: 'http' }, 'kubernetes', 8080, 'TCP', undefined, false],
    ['named port needs the matching protocol', { port: 'dns', protocol: 'TCP' }, 'kubernetes', 53, 'TCP', WEB, false],
    ['Cilium port 0 means every port', { port: '0', protocol: 'TCP' }, 'cilium', 31000, 'TCP', undefined, true],
  ];
  it.each(cases)('%s', (_n, raw, flavor, port, protocol, dstPorts, expected) => {
    const errors = sink();
    const spec = compilePort(raw, 'spec.ingress[0].ports[0]', errors, flavor);
    expect(errors.errors).toEqual([]);
    expect(portMatches(spec!, port, protocol, dstPorts)).toBe(expected);
  });

  const invalid: [string, unknown, string][] = [
    ['endPort with a named port', { port: 'http', endPort: 90 }, 'spec.ingress[0].ports[0].endPort'],
    ['endPort below port', { port: 90, endPort: 80 }, 'spec.ingress[0].ports[0].endPort'],
    ['port out of range', { port: 70000 }, 'spec.ingress[0].ports[0].port'],
    ['bad protocol', { port: 80, protocol: 'HTTP' }, 'spec.ingress[0].ports[0].protocol'],
    ['bad port name', { port: 'Not_A_Name' }, 'spec.ingress[0].ports[0].port'],
  ];
  it.each(invalid)('reports %s with the field', (_n, raw, field) => {
    const errors = sink();
    expect(compilePort(raw, 'spec.ingress[0].ports[0]', errors, 'kubernetes')).toBeUndefined();
    expect(errors.errors[0]).toMatchObject({ code: 'invalid-port', where: { field } });
  });
});
