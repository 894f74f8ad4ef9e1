'use client';

import type { EgressView } from '@/lib/server/views/azure-overview';

interface Box {
  id: string;
  title: string;
  lines: string[];
  tone: 'plain' | 'control' | 'warn' | 'internet';
}

const FILL: Record<Box['tone'], [string, string]> = {
  plain: ['#f1f5f9', '#64748b'],
  control: ['#ecfdf5', '#059669'],
  warn: ['#fffbeb', '#d97706'],
  internet: ['#eff6ff', '#2563eb'],
};

function boxesOf(e: EgressView): Box[] {
  const boxes: Box[] = [
    { id: 'pods', title: 'Pods', lines: ['SNAT to the node IP'], tone: 'plain' },
    { id: 'subnet', title: `Subnet ${e.subnet}`, lines: [e.addressPrefixes.join(', '), e.nsg ? `NSG ${e.nsg}` : 'no NSG'], tone: e.nsg ? 'control' : 'warn' },
  ];
  boxes.push(
    e.routeTable
      ? { id: 'route', title: `Route table ${e.routeTable}`, lines: e.route ? [`${e.route.name}: ${e.route.addressPrefix}`, `→ ${e.route.nextHopType}${e.route.nextHopIp ? ` ${e.route.nextHopIp}` : ''}`] : ['no route for 0.0.0.0/0'], tone: 'plain' }
      : { id: 'route', title: 'System routes', lines: ['no route table', '0.0.0.0/0 → Internet'], tone: 'warn' },
  );
  if (e.kind === 'firewall' && e.firewall) {
    boxes.push({ id: 'firewall', title: `Azure Firewall ${e.firewall.name}`, lines: [e.firewall.privateIp ?? '', e.firewall.policy ? `policy ${e.firewall.policy}` : 'classic rules'].filter(Boolean), tone: 'control' });
  } else if (e.kind === 'nat-gateway') {
    boxes.push({ id: 'nat', title: `NAT gateway ${e.natGateway ?? ''}`, lines: ['SNAT only', 'no filtering'], tone: 'warn' });
  } else if (e.kind === 'load-balancer') {
    boxes.push({ id: 'lb', title: 'Load balancer SNAT', lines: ['outbound rules', 'no filtering'], tone: 'warn' });
  } else {
    boxes.push({ id: e.kind, title: e.kind.replace('-', ' '), lines: ['not evaluated'], tone: 'warn' });
  }
  if (e.kind !== 'blackhole' && e.kind !== 'inside-vnet') boxes.push({ id: 'internet', title: 'Internet', lines: [], tone: 'internet' });
  return boxes;
}

const W = 196;
const H = 74;
const GAP = 36;

/** The egress path of one cluster subnet, drawn left to right: pods, subnet, route, firewall / NAT / LB, internet. */
export function EgressPathDiagram({ egress }: { egress: EgressView }) {
  const boxes = boxesOf(egress);
  const width = boxes.length * W + (boxes.length - 1) * GAP + 2;
  return (
    <figure className="flex flex-col gap-1">
      <svg data-testid="egress-path" data-kind={egress.kind} role="img" aria-label={`Egress path of ${egress.subnet}: ${boxes.map((b) => b.title).join(' → ')}`} viewBox={`0 0 ${width} ${H + 4}`} className="w-full max-w-5xl">
        <defs>
          <marker id="egress-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#475569" />
          </marker>
        </defs>
        {boxes.map((b, i) => {
          const x = 1 + i * (W + GAP);
          const [fill, stroke] = FILL[b.tone];
          return (
            <g key={b.id} data-testid={`egress-node-${b.id}`}>
              <rect x={x} y={2} width={W} height={H} rx={8} fill={fill} stroke={stroke} strokeWidth={1.5} />
              <text x={x + W / 2} y={22} textAnchor="middle" fontSize={12} fontWeight={600} fill="#0f172a">
                {b.title.length > 30 ? `${b.title.slice(0, 29)}…` : b.title}
              </text>
              {b.lines.slice(0, 2).map((l, j) => (
                <text key={j} x={x + W / 2} y={42 + j * 16} textAnchor="middle" fontSize={10} fill="#334155">
                  {l.length > 34 ? `${l.slice(0, 33)}…` : l}
                </text>
              ))}
              {i < boxes.length - 1 && <line x1={x + W} y1={2 + H / 2} x2={x + W + GAP - 2} y2={2 + H / 2} stroke="#475569" strokeWidth={1.5} markerEnd="url(#egress-arrow)" />}
            </g>
          );
        })}
      </svg>
      <figcaption className="text-xs text-slate-600">
        {egress.explanation}. Controls: {egress.controls.join('; ') || 'none'}.
      </figcaption>
    </figure>
  );
}
