import { describe, expect, it } from 'vitest';
import { flow, pod, reserved, world } from '../testing/flow-fixtures';
import { FlowGraph } from './flow-graph';
import { MapModel } from './map-model';
import { PATHOLOGICAL, timeRatio } from '../match/testing/time-ratio';
import { compileHidePattern, DEFAULT_VISUAL_FILTERS, exportConnections, visibleGraph, type ViewOptions } from './view-filter';

function demoGraph() {
  const g = new FlowGraph();
  const frontend = pod('production', 'frontend-7d9f8b6c4-x7k2p');
  const api = pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 8080 });
  const legacy = pod('legacy', 'legacy-app-9c8d7b6f5a-x7k2p');
  const prom = pod('monitoring', 'prometheus-0');
  const nginx = pod('ingress-nginx', 'ingress-nginx-controller-69c7b5d8f4-x7k2p', { labels: ['k8s:app.kubernetes.io/name=ingress-nginx'] });
  const dns = pod('kube-system', 'coredns-6d8c5f9b7d-x7k2p', { labels: ['k8s:k8s-app=kube-dns'], port: 53 });
  g.add(flow(frontend, api));
  g.add(flow(legacy, { ...api }, { verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }));
  g.add(flow(legacy, world('api.github.com', '140.82.121.6')));
  g.add(flow(prom, { ...api, port: 9090 }));
  g.add(flow(nginx, frontend));
  g.add(flow(frontend, dns, { protocol: 'UDP' }));
  g.add(flow(reserved('host'), api));
  g.takeDelta();
  const s = g.snapshot();
  return { nodes: new Map(s.nodes.map((n) => [n.id, n])), edges: s.edges };
}

const view = (patch: Partial<ViewOptions> = {}, visual: Partial<ViewOptions['visual']> = {}): ViewOptions => ({
  namespaces: [],
  statuses: [],
  ...patch,
  visual: { ...DEFAULT_VISUAL_FILTERS, ...visual },
});

describe('visibleGraph', () => {
  const { nodes, edges } = demoGraph();

  it('shows the whole cluster by default', () => {
    expect(visibleGraph(nodes, edges, view()).edges).toHaveLength(edges.length);
  });

  it('a namespace filter keeps edges that cross into the namespace', () => {
    const v = visibleGraph(nodes, edges, view({ namespaces: ['legacy'] }));
    expect(v.edges.map((e) => `${e.source}>${e.target}`).sort()).toEqual(['legacy/legacy-app>production/api-server', 'legacy/legacy-app>world:api.github.com']);
    expect(v.nodes.map((n) => n.id)).toContain('production/api-server');
  });

  it('status filter (denied only) keeps denied and mixed edges', () => {
    const v = visibleGraph(nodes, edges, view({ statuses: ['denied', 'mixed'] }));
    expect(v.edges.map((e) => e.status)).toEqual(['denied']);
  });

  it.each([
    ['hideHost', 'host'],
    ['hideKubeDns', 'kube-system/coredns'],
    ['hideIngressControllers', 'ingress-nginx/ingress-nginx-controller'],
  ] as const)('%s hides %s and its edges', (flag, id) => {
    const v = visibleGraph(nodes, edges, view({}, { [flag]: true }));
    expect(v.nodes.map((n) => n.id)).not.toContain(id);
    expect(v.edges.some((e) => e.source === id || e.target === id)).toBe(false);
    expect(v.edges.length).toBeLessThan(edges.length);
  });

  it('hides metrics scrapes but not the scraper\'s other traffic', () => {
    const v = visibleGraph(nodes, edges, view({}, { hideMetricsScrapes: true }));
    expect(v.edges.some((e) => e.port === 9090)).toBe(false);
    expect(v.edges.some((e) => e.port === 8080 && e.source === 'production/frontend')).toBe(true);
  });

  it('hides nodes matching user patterns', () => {
    const v = visibleGraph(nodes, edges, view({}, { hidePatterns: ['world:*'] }));
    expect(v.nodes.some((n) => n.kind === 'world')).toBe(false);
  });
});

describe('export and cytoscape elements', () => {
  const { nodes, edges } = demoGraph();
  it('exports the visible connections with counts and ISO times', () => {
    const v = visibleGraph(nodes, edges, view({ namespaces: ['legacy'] }));
    const doc = exportConnections(v, view({ namespaces: ['legacy'] }), new Date('2026-11-25T12:00:00Z'));
    expect(doc.exportedAt).toBe('2026-11-25T12:00:00.000Z');
    expect(doc.connections).toHaveLength(2);
    const denied = doc.connections.find((c) => c.status === 'denied')!;
    expect(denied).toMatchObject({ source: 'legacy/legacy-app', destination: 'production/api-server', port: 8080, protocol: 'TCP', dropReasons: { POLICY_DENIED: 1 } });
    expect(denied.flows.dropped).toBe(1);
  });

  it('puts workloads inside namespace compound nodes and tags edges with their status', () => {
    const els = new MapModel().setGraph({ nodes, edges: new Map(edges.map((e) => [e.id, e])) }).add;
    expect(els.find((e) => e.data.id === 'ns:production')?.classes).toBe('namespace');
    expect(els.find((e) => e.data.id === 'production/frontend')?.data.parent).toBe('ns:production');
    expect(els.find((e) => e.data.id === 'world:api.github.com')?.data.parent).toBeUndefined();
    expect(els.find((e) => e.group === 'edges' && e.data.status === 'denied')?.classes).toBe('status-denied');
  });
});

// Issue 8 (hardening), item 1: hide patterns come from the URL (`hidePattern=`) and local storage.
describe('hide patterns on pathological input', () => {
  it('match in about the time of a plain pattern, and an overlong one hides nothing', () => {
    const id = `world:${'a'.repeat(60)}c`;
    const hostile = compileHidePattern(PATHOLOGICAL.alternating)!;
    const plain = compileHidePattern('world:*.github.com')!;
    expect(hostile.matches(id)).toBe(false);
    expect(timeRatio(() => hostile.matches(id), () => plain.matches(id))).toBeLessThan(100);
    expect(compileHidePattern('*'.repeat(100_000))).toBeNull();
    expect(compileHidePattern('monitoring/prometheus-?')!.matches('monitoring/prometheus-0')).toBe(true);
  });
});
