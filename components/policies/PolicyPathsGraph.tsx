'use client';

/**
 * A small picture of what one policy does: the workloads it selects in the middle, the peers its ingress
 * rules admit on the left, the peers its egress rules reach on the right, ports on the arrows; deny rules
 * in red. Plain SVG: dozens of these on one page would be too heavy as cytoscape instances.
 */

import type { PathPeer, PolicyEntry } from '@/lib/server/views/policy-catalog';

const ROW = 22;
const WIDTH = 720;
const SIDE_W = 190;
const CENTER_X = 290;
const CENTER_W = 140;
const MAX_ROWS = 8;

interface Row {
  key: string;
  label: string;
  ports: string;
  deny: boolean;
  kind: PathPeer['kind'] | 'any' | 'none';
}

function rowsOf(entry: PolicyEntry, direction: 'ingress' | 'egress'): Row[] {
  const byPeer = new Map<string, Row>();
  for (const path of entry.paths) {
    if (path.direction !== direction) continue;
    const ports = `${path.ports.join(', ')}${path.l7 ? ` · ${path.l7}` : ''}`;
    const peers: { id: string; label: string; kind: Row['kind'] }[] = path.anyPeer
      ? [{ id: 'any', label: 'anyone (all pods, internet)', kind: 'any' }]
      : path.peers.length
        ? path.peers
        : [{ id: `none-${path.rule}`, label: '(matches no peer now)', kind: 'none' }];
    for (const p of peers) {
      const key = `${p.id}|${path.action}`;
      const row = byPeer.get(key);
      if (row) {
        if (!row.ports.split(', ').includes(ports)) row.ports = `${row.ports}; ${ports}`;
      } else byPeer.set(key, { key, label: p.label, ports, deny: path.action === 'deny', kind: p.kind });
    }
  }
  return [...byPeer.values()];
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function Side({ rows, x, direction, centerY }: { rows: Row[]; x: number; direction: 'ingress' | 'egress'; centerY: number }) {
  const shown = rows.slice(0, MAX_ROWS);
  return (
    <g>
      {shown.map((r, i) => {
        const y = 14 + i * ROW;
        const color = r.deny ? '#dc2626' : r.kind === 'none' ? '#94a3b8' : '#16a34a';
        const [x1, x2] = direction === 'ingress' ? [x + SIDE_W, CENTER_X] : [CENTER_X + CENTER_W, x];
        return (
          <g key={r.key}>
            <text x={x + (direction === 'ingress' ? SIDE_W - 4 : 4)} y={y + 4} fontSize={10} textAnchor={direction === 'ingress' ? 'end' : 'start'} fill="#0f172a">
              <title>{r.label}</title>
              {cut(r.label, 30)}
            </text>
            <line x1={x1} y1={direction === 'ingress' ? y : centerY} x2={x2} y2={direction === 'ingress' ? centerY : y} stroke={color} strokeWidth={1.5} strokeDasharray={r.deny ? '4 3' : undefined} markerEnd={`url(#arrow-${r.deny ? 'deny' : 'allow'})`} />
            {/* Ports near the peer's end, where rows are still apart. */}
            <text x={direction === 'ingress' ? x1 + 4 : x2 - 4} y={y + (centerY - y) * 0.05 - 3} fontSize={8} textAnchor={direction === 'ingress' ? 'start' : 'end'} fill={color}>
              {cut(r.ports, 22)}
            </text>
          </g>
        );
      })}
      {rows.length > MAX_ROWS && (
        <text x={x + (direction === 'ingress' ? SIDE_W - 4 : 4)} y={14 + MAX_ROWS * ROW + 4} fontSize={10} fill="#64748b" textAnchor={direction === 'ingress' ? 'end' : 'start'}>
          +{rows.length - MAX_ROWS} more
        </text>
      )}
    </g>
  );
}

export function PolicyPathsGraph({ entry }: { entry: PolicyEntry }) {
  const ingress = rowsOf(entry, 'ingress');
  const egress = rowsOf(entry, 'egress');
  const selected = entry.selected.workloads.slice(0, MAX_ROWS);
  const rows = Math.max(ingress.length, egress.length, selected.length, 1);
  const height = 14 + Math.min(rows, MAX_ROWS + 1) * ROW;
  const centerY = height / 2 - 4;
  const boxH = Math.max(ROW, selected.length * 14 + 10);
  const boxY = centerY - boxH / 2;
  const closed = (d: 'ingress' | 'egress') => entry.isolates[d] && (d === 'ingress' ? ingress : egress).every((r) => r.deny);
  return (
    <svg data-testid="policy-graph" viewBox={`0 0 ${WIDTH} ${height}`} className="w-full max-w-[720px]" role="img" aria-label={`paths opened by ${entry.name}`}>
      <defs>
        {(['allow', 'deny'] as const).map((k) => (
          <marker key={k} id={`arrow-${k}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill={k === 'deny' ? '#dc2626' : '#16a34a'} />
          </marker>
        ))}
      </defs>
      <Side rows={ingress} x={0} direction="ingress" centerY={centerY} />
      <Side rows={egress} x={WIDTH - SIDE_W} direction="egress" centerY={centerY} />
      <rect x={CENTER_X} y={boxY} width={CENTER_W} height={boxH} rx={6} fill="#dbeafe" stroke="#2563eb" />
      {selected.length === 0 ? (
        <text x={CENTER_X + CENTER_W / 2} y={centerY + 4} fontSize={10} textAnchor="middle" fill="#b91c1c">
          {entry.hostPolicy ? 'host policy (nodes)' : 'selects no pod'}
        </text>
      ) : (
        selected.map((w, i) => (
          <text key={w.id} x={CENTER_X + CENTER_W / 2} y={boxY + 16 + i * 14} fontSize={10} textAnchor="middle" fill="#1e3a8a">
            <title>{w.id}</title>
            {cut(`${w.name}${w.podCount > 1 ? ` ×${w.podCount}` : ''}`, 24)}
          </text>
        ))
      )}
      {closed('ingress') && (
        <text x={SIDE_W - 4} y={centerY + 4} fontSize={10} textAnchor="end" fill="#b91c1c">
          all other ingress denied
        </text>
      )}
      {closed('egress') && (
        <text x={CENTER_X + CENTER_W + 40} y={centerY + 4} fontSize={10} fill="#b91c1c">
          all other egress denied
        </text>
      )}
    </svg>
  );
}
