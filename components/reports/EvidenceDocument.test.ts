import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_SCHEMA, type EvidenceReport } from '@/lib/server/views/evidence-report';
import { EvidenceDocument } from './EvidenceDocument';

const zero = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
const ID = '20250304-050607-0a1b2c3d';

/** A small report of a namespace scope without Azure data: the layers that were not evaluated must say so. */
function report(overrides: Partial<EvidenceReport> = {}): EvidenceReport {
  return {
    schema: EVIDENCE_SCHEMA,
    cluster: { name: 'aks-test', relay: 'demo relay', datapath: 'cilium', datapathReason: 'detected: Cilium policies', source: 'demo', namespaces: 2, pods: 3, policies: 1, azure: null },
    range: { since: '2025-03-04T05:00:00.000Z', until: '2025-03-04T06:00:00.000Z' },
    scope: { kind: 'namespaces', namespaces: ['shop'] },
    basis: { flowsInRange: 1200, flowsWeighed: 1200, flowsFrom: 'history', notes: ['No Azure network data describes this cluster: the NSG layer and the Azure egress controls are not evaluated, and nothing is claimed about them.'] },
    summary: { score: 64, findings: { ...zero, high: 1 }, findingCount: 1 },
    layers: [
      { layer: 'nsg', title: 'Network security groups (Azure)', status: 'out-of-scope', source: 'cluster-wide: in cluster reports only', findings: zero, facts: [{ label: 'NSGs', value: 0 }] },
      { layer: 'network-policy', title: 'Network policy (Kubernetes, Cilium)', status: 'evaluated', source: 'demo cluster source; cilium datapath', findings: { ...zero, high: 1 }, facts: [{ label: 'policies', value: 1 }] },
      { layer: 'egress', title: 'Egress lockdown', status: 'no-source', source: 'no Azure network data for this cluster', findings: zero, facts: [] },
    ],
    findings: [
      {
        key: 'open-egress:shop/cart',
        id: 'open-egress',
        severity: 'high',
        layer: 'egress',
        title: 'shop/cart can reach the internet',
        namespace: 'shop',
        objects: ['Deployment shop/cart'],
        evidence: ['Network policy lets it out: no policy isolates its egress.'],
        fix: { text: 'Default-deny egress for cart.', check: 'verified' },
      },
    ],
    coverage: [
      {
        namespace: 'shop',
        system: false,
        pods: 3,
        workloads: 1,
        unprotected: false,
        ingress: { state: 'all', isolatedPods: 3, auditPods: 0, pods: 3 },
        egress: { state: 'none', isolatedPods: 0, auditPods: 0, pods: 3 },
        dns: { state: 'not-needed', detail: 'egress is not locked down' },
        internet: { state: 'open', open: ['shop/cart'], closedElsewhere: [], closedByPolicy: 0, closedBy: [] },
        findingKeys: ['open-egress:shop/cart'],
      },
    ],
    policies: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny-ingress', sha256: 'a'.repeat(64), selects: 3 }],
    nsgs: [],
    firewalls: [],
    topDenied: [],
    egress: [],
    audit: [],
    map: { file: 'map.png', nodes: 4, edges: 3, namespaces: ['shop'] },
    truncated: {},
    ...overrides,
  };
}

const render = (r: EvidenceReport) => renderToStaticMarkup(createElement(EvidenceDocument, { id: ID, report: r }));

describe('EvidenceDocument', () => {
  it('is the element the printer waits for', () => {
    const html = render(report());
    expect(html).toMatch(/<article[^>]*data-testid="evidence-document"[^>]*data-ready="true"/);
    expect(html).toContain('@page { size: A4; }');
  });

  it('has every section, in order, each an h2 with an id', () => {
    const html = render(report({ truncated: { topDenied: 120 } }));
    const ids = [...html.matchAll(/<h2 id="([^"]+)" data-testid="heading-/g)].map((m) => m[1]);
    expect(ids).toEqual(['posture', 'findings', 'coverage', 'map', 'denied', 'egress', 'policies', 'nsgs', 'firewalls', 'audit', 'truncated']);
    expect(html).toContain('the first 50 of 120');
  });

  it('says a layer was not evaluated instead of showing it clean', () => {
    const html = render(report());
    expect(html).toContain('data-status="out-of-scope"');
    expect(html).toContain('NOT EVALUATED: out of scope');
    expect(html).toContain('NOT EVALUATED: no data source');
    expect(html).toContain('Nothing is claimed about this layer: no Azure network data for this cluster.');
  });

  it('explains empty inventories', () => {
    expect(render(report())).toContain('The NSG rules are cluster-wide: they are listed in cluster reports only.');
    expect(render(report({ scope: { kind: 'cluster' } }))).toContain('No Azure network data describes this cluster: no NSG is known');
  });

  it('links the files for download and embeds the map', () => {
    const html = render(report());
    expect(html).toContain(`href="/api/reports/${ID}/report.pdf?download=1"`);
    expect(html).toContain(`href="/api/reports/${ID}/manifest.json?download=1"`);
    expect(html).toContain(`src="/api/reports/${ID}/map.png"`);
    expect(html).toContain('id="finding-open-egress-shop-cart"');
    expect(html).toContain('data-testid="coverage-table"');
  });
});
