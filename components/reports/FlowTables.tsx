/** The observed traffic of an evidence report: the most denied paths, and every internet destination with each egress layer's verdict. */

import type { DeniedPath, EgressDestination } from '@/lib/server/views/evidence-report';
import type { EgressCell, EgressLayer, EgressVerdict } from '@/lib/server/views/egress-inventory';
import { Badge, EmptyNote, TABLE, TD, TH, THEAD, TR, Wrap } from './ReportBits';
import { spanText } from './report-format';

export function TopDeniedTable({ rows }: { rows: DeniedPath[] }) {
  if (rows.length === 0) return <EmptyNote testId="denied-empty">No flow in the range and scope was dropped by network policy.</EmptyNote>;
  return (
    <table className={TABLE} data-testid="denied-table">
      <colgroup>
        <col style={{ width: '18%' }} />
        <col style={{ width: '18%' }} />
        <col style={{ width: '10%' }} />
        <col style={{ width: '7%' }} />
        <col style={{ width: '18%' }} />
        <col style={{ width: '13%' }} />
        <col style={{ width: '16%' }} />
      </colgroup>
      <thead className={THEAD}>
        <tr>
          <th className={TH}>From</th>
          <th className={TH}>To</th>
          <th className={TH}>Port</th>
          <th className={`${TH} text-right`}>Flows</th>
          <th className={TH}>Reason</th>
          <th className={TH}>Denied by</th>
          <th className={TH}>First / last seen</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.from}|${r.to}|${r.port}|${r.protocol}|${r.reason}`} className={TR} data-testid="denied-row">
            <td className={TD}>
              <Wrap text={r.from} />
            </td>
            <td className={TD}>
              <Wrap text={r.to} />
            </td>
            <td className={`${TD} whitespace-nowrap font-mono`}>
              {r.port}/{r.protocol}
            </td>
            <td className={`${TD} text-right font-mono text-red-800`}>{r.flows}</td>
            <td className={TD}>{r.reason ? <Wrap text={r.reason} /> : <span className="text-slate-500">not given</span>}</td>
            <td className={`${TD} text-[11px]`}>{r.policies.length ? <Wrap text={r.policies.join(', ')} /> : <span className="text-slate-500">not named</span>}</td>
            <td className={`${TD} text-[11px] text-slate-600`}>{spanText(r.firstSeen, r.lastSeen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const CELL_STYLE: Record<EgressCell['verdict'], string> = {
  allowed: 'text-green-800',
  denied: 'text-red-800 bg-red-50',
  audit: 'text-amber-800 bg-amber-50',
  'not-on-path': 'text-slate-500',
  unknown: 'text-slate-700 bg-slate-50',
};
const CELL_WORD: Record<EgressCell['verdict'], string> = { allowed: 'allowed', denied: 'denied', audit: 'audit', 'not-on-path': 'not on path', unknown: 'unknown' };

// For egress the danger is reversed: "allowed" everywhere is the open door, "denied" is the control working (as on /egress).
const VERDICT: Record<EgressVerdict, { word: string; tone: 'bad' | 'warn' | 'neutral' | 'good' }> = {
  allowed: { word: 'open', tone: 'bad' },
  audit: { word: 'audit only', tone: 'warn' },
  unknown: { word: 'unknown', tone: 'neutral' },
  denied: { word: 'denied', tone: 'good' },
};

const LAYERS: { layer: EgressLayer; title: string }[] = [
  { layer: 'policy', title: 'Network policy' },
  { layer: 'nsg', title: 'NSG' },
  { layer: 'firewall', title: 'Azure Firewall' },
];

function LayerCell({ layer, cell }: { layer: EgressLayer; cell: EgressCell }) {
  return (
    <td data-testid={`egress-cell-${layer}`} data-verdict={cell.verdict} className={`${TD} ${CELL_STYLE[cell.verdict]}`}>
      <b className="font-semibold">{CELL_WORD[cell.verdict]}</b>
      {cell.rule ? (
        <span className="block text-[11px]">
          <Wrap text={cell.rule} />
        </span>
      ) : (
        cell.reason && <span className="block break-words text-[11px] text-slate-600">{cell.reason}</span>
      )}
    </td>
  );
}

export function EgressDestinationsTable({ rows }: { rows: EgressDestination[] }) {
  if (rows.length === 0) return <EmptyNote testId="egress-empty">No workload in the scope reached an internet destination over the range.</EmptyNote>;
  return (
    <table className={TABLE} data-testid="egress-destinations">
      <colgroup>
        <col style={{ width: '14%' }} />
        <col style={{ width: '15%' }} />
        <col style={{ width: '9%' }} />
        <col style={{ width: '7%' }} />
        <col style={{ width: '14%' }} />
        <col style={{ width: '13%' }} />
        <col style={{ width: '13%' }} />
        <col style={{ width: '15%' }} />
      </colgroup>
      <thead className={THEAD}>
        <tr>
          <th className={TH}>Workload</th>
          <th className={TH}>Destination</th>
          <th className={TH}>Port</th>
          <th className={`${TH} text-right`}>Flows</th>
          {LAYERS.map((l) => (
            <th key={l.layer} className={TH}>
              {l.title}
            </th>
          ))}
          <th className={TH}>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.workload}|${r.destination}|${r.port}|${r.protocol}`} className={TR} data-testid="egress-destination" data-verdict={r.verdict}>
            <td className={TD}>
              <span className="text-slate-500">{r.namespace}/</span>
              <wbr />
              <span className="font-medium">
                <Wrap text={r.workload.slice(r.namespace.length + 1)} />
              </span>
            </td>
            <td className={`${TD} font-medium`}>
              <Wrap text={r.destination} />
              {r.destinationKind === 'ip' && (
                <span className="mt-0.5 block">
                  <Badge tone="neutral">no DNS name</Badge>
                </span>
              )}
            </td>
            <td className={`${TD} whitespace-nowrap font-mono`}>
              {r.port}/{r.protocol}
            </td>
            <td className={`${TD} text-right font-mono`}>{r.flows}</td>
            {LAYERS.map((l) => (
              <LayerCell key={l.layer} layer={l.layer} cell={r.layers[l.layer]} />
            ))}
            <td className={TD}>
              <Badge tone={VERDICT[r.verdict].tone} testId="egress-verdict">
                {VERDICT[r.verdict].word.toUpperCase()}
              </Badge>
              <span className="mt-0.5 block break-words text-[11px] text-slate-600">{r.decision}</span>
              {/* A note can qualify the verdict (every observed flow was dropped). Older reports have none. */}
              {(r.notes ?? []).map((n) => (
                <span key={n} className="mt-0.5 block break-words text-[11px] font-medium text-amber-800" data-testid="egress-note">
                  Note: {n}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
