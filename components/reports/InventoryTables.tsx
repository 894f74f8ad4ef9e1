/** What the controls are: the policies (with content hashes), the NSG rules and the firewall rules; and the AUDIT flows per namespace. */

import type { FirewallInventory, NsgInventory, PolicyInventoryRow } from '@/lib/server/views/evidence-report';
import type { NamespaceAudit } from '@/lib/posture/audit-by-namespace';
import { Badge, EmptyNote, TABLE, TD, TH, THEAD, TR, Wrap } from './ReportBits';
import { plural } from './report-format';

export function PolicyInventoryTable({ rows }: { rows: PolicyInventoryRow[] }) {
  if (rows.length === 0) return <EmptyNote testId="policies-empty" tone="warn">No network policy exists in this scope: nothing isolates its pods.</EmptyNote>;
  return (
    <table className={TABLE} data-testid="policy-inventory">
      <colgroup>
        <col style={{ width: '19%' }} />
        <col style={{ width: '15%' }} />
        <col style={{ width: '24%' }} />
        <col style={{ width: '8%' }} />
        <col style={{ width: '34%' }} />
      </colgroup>
      <thead className={THEAD}>
        <tr>
          <th className={TH}>Kind</th>
          <th className={TH}>Namespace</th>
          <th className={TH}>Name</th>
          <th className={`${TH} text-right`}>Selects</th>
          <th className={TH}>SHA-256 (content)</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={`${p.kind}/${p.namespace ?? ''}/${p.name}`} className={TR} data-testid="policy-row">
            <td className={`${TD} break-words`}>{p.kind}</td>
            <td className={TD}>{p.namespace ? <Wrap text={p.namespace} /> : <span className="text-slate-500">cluster-wide</span>}</td>
            <td className={`${TD} font-medium`}>
              <Wrap text={p.name} />
            </td>
            <td className={`${TD} text-right font-mono ${p.selects === 0 ? 'text-amber-700' : ''}`} title="pods it selects now">
              {p.selects}
            </td>
            <td className={`${TD} break-all font-mono text-[11px] leading-snug text-slate-700`} data-testid="policy-sha256">
              {p.sha256}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NsgTable({ nsg }: { nsg: NsgInventory }) {
  return (
    <div className="mt-4" data-testid="nsg" data-name={nsg.name}>
      <h3 className="ev-heading text-sm font-semibold">
        NSG <span className="font-mono">{nsg.name}</span>
      </h3>
      <p className="break-all font-mono text-[11px] text-slate-500">{nsg.id}</p>
      <p className="mb-1 text-[11px] text-slate-600">
        attached to {nsg.subnets.length ? `subnets ${nsg.subnets.join(', ')}` : 'no subnet'}
        {nsg.nics.length ? `; NICs ${nsg.nics.join(', ')}` : '; no NIC'}
      </p>
      {nsg.rules.length === 0 ? (
        <EmptyNote>This NSG has no rules.</EmptyNote>
      ) : (
        <table className={TABLE} data-testid="nsg-rules">
          <colgroup>
            <col style={{ width: '10%' }} />
            <col style={{ width: '24%' }} />
            <col style={{ width: '11%' }} />
            <col style={{ width: '8%' }} />
            <col style={{ width: '11%' }} />
            <col style={{ width: '14%' }} />
            <col style={{ width: '13%' }} />
            <col style={{ width: '9%' }} />
          </colgroup>
          <thead className={THEAD}>
            <tr>
              <th className={TH}>Priority</th>
              <th className={TH}>Name</th>
              <th className={TH}>Direction</th>
              <th className={TH}>Access</th>
              <th className={TH}>Protocol</th>
              <th className={TH}>Source</th>
              <th className={TH}>Destination</th>
              <th className={TH}>Ports</th>
            </tr>
          </thead>
          <tbody>
            {nsg.rules.map((r) => (
              <tr key={`${r.direction}-${r.name}`} className={`${TR} ${r.isDefault ? 'text-slate-500' : ''}`} data-testid="nsg-rule-row" data-default={r.isDefault}>
                <td className={`${TD} font-mono`}>{r.priority}</td>
                <td className={TD}>
                  <span className="font-medium">
                    <Wrap text={r.name} />
                  </span>
                  {r.isDefault && (
                    <span className="ml-1">
                      <Badge tone="muted">default</Badge>
                    </span>
                  )}
                  {r.description && <span className="block break-words text-[11px] text-slate-500">{r.description}</span>}
                </td>
                <td className={TD}>{r.direction}</td>
                <td className={`${TD} font-semibold ${r.access === 'Allow' ? 'text-green-800' : 'text-red-800'}`}>{r.access}</td>
                <td className={TD}>{r.protocol}</td>
                <td className={TD}>
                  <Wrap text={r.source} />
                  {r.sourcePorts && r.sourcePorts !== '*' && <span className="block text-[11px] text-slate-500">ports {r.sourcePorts}</span>}
                </td>
                <td className={TD}>
                  <Wrap text={r.destination} />
                </td>
                <td className={`${TD} font-mono`}>
                  <Wrap text={r.destinationPorts} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nsg.truncated && <p className="mt-1 text-[11px] text-amber-800">Only the first {plural(nsg.rules.length, 'rule')} of this NSG are listed.</p>}
    </div>
  );
}

/** Every NSG, or why there are none to list (`why`: the NSG layer's source when it was not evaluated). */
export function NsgTables({ nsgs, why }: { nsgs: NsgInventory[]; why: string }) {
  if (nsgs.length === 0) return <EmptyNote testId="nsgs-empty">{why}</EmptyNote>;
  return (
    <div data-testid="nsg-tables">
      {nsgs.map((n) => (
        <NsgTable key={n.id} nsg={n} />
      ))}
    </div>
  );
}

const KIND_WORD: Record<FirewallInventory['rules'][number]['kind'], string> = { nat: 'DNAT', network: 'network', application: 'application' };

function FirewallTable({ fw }: { fw: FirewallInventory }) {
  return (
    <div className="mt-4" data-testid="firewall" data-name={fw.name}>
      <h3 className="ev-heading text-sm font-semibold">
        Azure Firewall <span className="font-mono">{fw.name}</span>
      </h3>
      <p className="mb-1 text-[11px] text-slate-600">
        {fw.mode === 'policy' ? `firewall policy ${fw.policy ?? '(unnamed)'}` : 'classic rules'} · {plural(fw.rules.length, 'rule')}, in the order Azure processes them (DNAT, network, application)
      </p>
      {fw.rules.length === 0 ? (
        <EmptyNote>This firewall has no rules: it denies all traffic through it.</EmptyNote>
      ) : (
        <table className={TABLE} data-testid="firewall-rules">
          <colgroup>
            <col style={{ width: '11%' }} />
            <col style={{ width: '16%' }} />
            <col style={{ width: '18%' }} />
            <col style={{ width: '8%' }} />
            <col style={{ width: '16%' }} />
            <col style={{ width: '31%' }} />
          </colgroup>
          <thead className={THEAD}>
            <tr>
              <th className={TH}>Kind</th>
              <th className={TH}>Group</th>
              <th className={TH}>Collection</th>
              <th className={TH}>Action</th>
              <th className={TH}>Rule</th>
              <th className={TH}>Match</th>
            </tr>
          </thead>
          <tbody>
            {fw.rules.map((r, i) => (
              <tr key={`${r.kind}|${r.group ?? ''}|${r.collection}|${r.rule}|${i}`} className={TR} data-testid="firewall-rule-row">
                <td className={TD}>{KIND_WORD[r.kind] ?? r.kind}</td>
                <td className={TD}>
                  {r.group ? <Wrap text={r.group} /> : <span className="text-slate-500">—</span>}
                  {r.groupPriority !== undefined && <span className="block font-mono text-[11px] text-slate-500">priority {r.groupPriority}</span>}
                </td>
                <td className={TD}>
                  <Wrap text={r.collection} />
                  <span className="block font-mono text-[11px] text-slate-500">priority {r.collectionPriority}</span>
                </td>
                <td className={`${TD} font-semibold ${/allow|dnat/i.test(r.action) ? 'text-green-800' : 'text-red-800'}`}>{r.action}</td>
                <td className={`${TD} font-medium`}>
                  <Wrap text={r.rule} />
                </td>
                <td className={`${TD} break-words font-mono text-[11px]`}>{r.match}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {fw.truncated && <p className="mt-1 text-[11px] text-amber-800">Only the first {plural(fw.rules.length, 'rule')} of this firewall are listed.</p>}
    </div>
  );
}

export function FirewallTables({ firewalls, why }: { firewalls: FirewallInventory[]; why: string }) {
  if (firewalls.length === 0) return <EmptyNote testId="firewalls-empty">{why}</EmptyNote>;
  return (
    <div data-testid="firewall-tables">
      {firewalls.map((f) => (
        <FirewallTable key={f.name} fw={f} />
      ))}
    </div>
  );
}

const policyText = (p: { kind: string; namespace?: string; name: string }) => `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;

/** AUDIT flows per namespace: traffic that passed only because a policy runs in audit mode. */
export function AuditTable({ rows }: { rows: NamespaceAudit[] }) {
  if (rows.length === 0) return <EmptyNote testId="audit-empty">No flow in the range and scope had the AUDIT verdict: no policy in audit mode would have denied observed traffic.</EmptyNote>;
  return (
    <table className={TABLE} data-testid="audit-table">
      <colgroup>
        <col style={{ width: '20%' }} />
        <col style={{ width: '10%' }} />
        <col style={{ width: '10%' }} />
        <col style={{ width: '60%' }} />
      </colgroup>
      <thead className={THEAD}>
        <tr>
          <th className={TH}>Namespace</th>
          <th className={`${TH} text-right`}>Flows</th>
          <th className={`${TH} text-right`}>Paths</th>
          <th className={TH}>Policies that would deny them</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((a) => (
          <tr key={a.namespace} className={TR} data-testid="audit-row" data-namespace={a.namespace}>
            <td className={`${TD} font-mono`}>
              <Wrap text={a.namespace} />
            </td>
            <td className={`${TD} text-right font-mono text-amber-800`}>{a.flows}</td>
            <td className={`${TD} text-right font-mono`}>{a.paths}</td>
            <td className={TD}>
              {a.policies.length > 0 ? (
                <Wrap text={a.policies.map(policyText).join(', ')} />
              ) : (
                <span className="text-slate-500">not named</span>
              )}
              {a.unnamedFlows > 0 && a.policies.length > 0 && <span className="block text-[11px] text-slate-500">{a.unnamedFlows === a.flows ? 'policy unknown' : `${a.unnamedFlows} flows with the policy unknown`}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
