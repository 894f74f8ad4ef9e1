'use client';

import type { LayerCell, ThreeLayers } from '@/lib/layers/three-layers';

const LABEL: Record<LayerCell['layer'], string> = { nsg: 'NSG', policy: 'Network policy', firewall: 'Egress firewall' };

const STYLE: Record<LayerCell['verdict'], string> = {
  allowed: 'border-green-300 bg-green-50 text-green-800',
  denied: 'border-red-300 bg-red-50 text-red-800',
  audit: 'border-amber-300 bg-amber-50 text-amber-800',
  'not-on-path': 'border-slate-200 bg-slate-50 text-slate-500',
  unknown: 'border-slate-300 bg-white text-slate-600',
};

const WORD: Record<LayerCell['verdict'], string> = { allowed: 'allowed', denied: 'denied', audit: 'audit (would deny)', 'not-on-path': 'not on the path', unknown: 'unknown' };

function Cell({ cell }: { cell: LayerCell }) {
  return (
    <div data-testid={`layer-${cell.layer}`} data-verdict={cell.verdict} className={`flex min-w-0 flex-1 flex-col gap-0.5 rounded border p-1.5 ${STYLE[cell.verdict]}`} title={cell.reason}>
      <span className="text-[10px] uppercase tracking-wide opacity-70">{LABEL[cell.layer]}</span>
      <b className="text-xs">{WORD[cell.verdict]}</b>
      {cell.rule && (
        <span data-testid={`layer-${cell.layer}-rule`} className="break-words font-mono text-[10px]">
          {cell.rule}
        </span>
      )}
    </div>
  );
}

/** NSG / network policy / egress firewall, in the order a packet leaving a pod meets them. */
export function LayerStrip({ layers, state }: { layers?: ThreeLayers; state: { loading: boolean; error?: string } }) {
  return (
    <section data-testid="layer-strip" className="flex flex-col gap-1 text-xs">
      <h3 className="font-semibold text-slate-700">Three layers</h3>
      {state.loading && <p className="text-slate-500">evaluating…</p>}
      {state.error && (
        <p role="alert" className="text-red-700">
          {state.error}
        </p>
      )}
      {layers && (
        <>
          <div className="flex gap-1">
            <Cell cell={layers.nsg} />
            <Cell cell={layers.policy} />
            <Cell cell={layers.firewall} />
          </div>
          <p className="text-[11px] text-slate-600">
            connection {layers.connection.from.pod ? `${layers.connection.from.namespace}/${layers.connection.from.pod}` : layers.connection.from.ip} → {layers.connection.fqdn ?? (layers.connection.to.pod ? `${layers.connection.to.namespace}/${layers.connection.to.pod}` : layers.connection.to.ip)}:{layers.connection.port}/{layers.connection.protocol}
            {layers.connection.swapped ? ' (reply: shown as the connection it answers)' : ''}
            {layers.azureSeenAs && layers.azureSeenAs.sourceIp !== layers.connection.from.ip ? ` · Azure sees ${layers.azureSeenAs.sourceIp}` : ''}
          </p>
          <details className="text-[11px] text-slate-600">
            <summary className="cursor-pointer">why</summary>
            <ul className="list-disc pl-4">
              {[layers.nsg, layers.policy, layers.firewall].map((c) => (
                <li key={c.layer}>
                  <b>{LABEL[c.layer]}:</b> {c.reason}
                  {c.notes.length > 0 && <span className="text-slate-500"> ({c.notes.join('; ')})</span>}
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
    </section>
  );
}
