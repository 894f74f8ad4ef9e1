import type { EgressInventory } from '@/lib/server/views/egress-inventory';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "N workloads reach M destinations; K open at every layer", and what the numbers leave out. */
export function EgressSummary({ inventory }: { inventory: EgressInventory }) {
  const s = inventory.summary;
  return (
    <section data-testid="egress-summary" className="flex flex-col gap-1">
      <p className="text-sm">
        <b data-testid="summary-workloads" data-count={s.workloads}>{plural(s.workloads, 'workload', 'workloads')}</b> reach{s.workloads === 1 ? 'es' : ''}{' '}
        <b data-testid="summary-destinations" data-count={s.destinations}>{plural(s.destinations, 'destination', 'destinations')}</b>;{' '}
        <b data-testid="summary-open" data-count={s.open} className={s.open ? 'text-red-700' : 'text-green-700'}>
          {s.open} open at every layer
        </b>
        <span className="text-slate-500">
          {' '}
          · {s.byVerdict.audit} audit only · {s.byVerdict.unknown} unknown · {s.byVerdict.denied} denied
        </span>
      </p>
      {inventory.notes.map((n) => (
        <p key={n} data-testid="egress-note" className="rounded border border-amber-300 bg-amber-50 px-2 py-1 text-xs text-amber-900">
          {n}
        </p>
      ))}
    </section>
  );
}
