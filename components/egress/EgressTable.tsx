import Link from 'next/link';
import { type EgressCell, type EgressLayer, type EgressRow, type EgressVerdict } from '@/lib/server/views/egress-inventory';

const CELL_STYLE: Record<EgressCell['verdict'], string> = {
  allowed: 'text-green-800',
  denied: 'text-red-800 bg-red-50',
  audit: 'text-amber-800 bg-amber-50',
  'not-on-path': 'text-slate-400',
  unknown: 'text-slate-600 bg-slate-50',
};

const CELL_WORD: Record<EgressCell['verdict'], string> = { allowed: 'allowed', denied: 'denied', audit: 'audit', 'not-on-path': 'not on path', unknown: 'unknown' };

const VERDICT_STYLE: Record<EgressVerdict, string> = {
  allowed: 'bg-red-100 text-red-800',
  audit: 'bg-amber-100 text-amber-800',
  unknown: 'bg-slate-100 text-slate-700',
  denied: 'bg-green-100 text-green-800',
};

// For egress the danger is reversed: "allowed" everywhere is the open door, "denied" is the control working.
const VERDICT_WORD: Record<EgressVerdict, string> = { allowed: 'open', audit: 'audit only', unknown: 'unknown', denied: 'denied' };

const time = (t: number) => (t > 0 ? new Date(t).toLocaleTimeString() : '');

function LayerCellView({ layer, cell }: { layer: EgressLayer; cell: EgressCell }) {
  return (
    <td data-testid={`egress-cell-${layer}`} data-verdict={cell.verdict} title={cell.reason} className={`max-w-56 px-2 py-1 align-top ${CELL_STYLE[cell.verdict]}`}>
      <b>{CELL_WORD[cell.verdict]}</b>
      {cell.rule && (
        <span data-testid={`egress-rule-${layer}`} className="block break-words font-mono text-[10px]">
          {cell.rule}
        </span>
      )}
    </td>
  );
}

function Row({ r }: { r: EgressRow }) {
  const name = r.workload.slice(r.namespace.length + 1);
  return (
    <tr data-testid="egress-row" data-edge={r.edgeId} data-workload={r.workload} data-destination={r.destination} data-verdict={r.verdict} data-decided-by={r.decidedBy ?? ''} className="border-t border-slate-100">
      <td className="px-2 py-1 align-top">
        <Link prefetch={false} data-testid="egress-ns-link" href={`/map?ns=${encodeURIComponent(r.namespace)}`} className="text-slate-500 hover:underline">
          {r.namespace}
        </Link>
        /<span className="font-medium">{name}</span>
      </td>
      <td className="px-2 py-1 align-top font-mono" title={r.addresses.length ? `addresses seen: ${r.addresses.join(', ')}` : undefined}>
        {r.destination}
        <span className="text-slate-500">
          :{r.port}/{r.protocol}
        </span>
        {r.destinationKind === 'ip' && <span className="ml-1 rounded bg-slate-100 px-1 text-[10px] text-slate-600">no DNS name</span>}
      </td>
      <td className="px-2 py-1 text-right align-top font-mono" data-testid="egress-forwarded">
        {r.counts.forwarded}
      </td>
      <td className={`px-2 py-1 text-right align-top font-mono ${r.counts.dropped ? 'text-red-700' : 'text-slate-400'}`} data-testid="egress-dropped">
        {r.counts.dropped}
      </td>
      <td className="whitespace-nowrap px-2 py-1 align-top text-slate-500">
        {time(r.firstSeen)} – {time(r.lastSeen)}
      </td>
      <LayerCellView layer="policy" cell={r.policy} />
      <LayerCellView layer="nsg" cell={r.nsg} />
      <LayerCellView layer="firewall" cell={r.firewall} />
      <td className="max-w-72 px-2 py-1 align-top">
        <span data-testid="egress-verdict" className={`rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase ${VERDICT_STYLE[r.verdict]}`}>
          {VERDICT_WORD[r.verdict]}
        </span>
        <span data-testid="egress-decision" className="mt-0.5 block text-[11px] text-slate-600">
          {r.decision}
        </span>
        {r.notes.map((n) => (
          <span key={n} className="block text-[10px] text-slate-500">
            {n}
          </span>
        ))}
      </td>
      <td className="px-2 py-1 align-top">
        <Link prefetch={false} data-testid="egress-map-link" href={`/map?select=${encodeURIComponent(r.edgeId)}`} className="text-sky-700 hover:underline">
          map
        </Link>
      </td>
    </tr>
  );
}

/** One row per workload → internet connection; the layer columns in the order a packet meets them. */
export function EgressTable({ rows }: { rows: EgressRow[] }) {
  return (
    <table data-testid="egress-table" className="w-full text-left text-xs">
      <thead className="sticky top-0 bg-white text-slate-500">
        <tr>
          <th className="px-2 py-1">Workload</th>
          <th className="px-2 py-1">Destination</th>
          <th className="px-2 py-1 text-right">Forwarded</th>
          <th className="px-2 py-1 text-right">Dropped</th>
          <th className="px-2 py-1">First – last seen</th>
          <th className="px-2 py-1">Network policy</th>
          <th className="px-2 py-1">NSG</th>
          <th className="px-2 py-1">Azure Firewall</th>
          <th className="px-2 py-1">Verdict</th>
          <th className="px-2 py-1" />
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <Row key={r.edgeId} r={r} />
        ))}
      </tbody>
    </table>
  );
}
