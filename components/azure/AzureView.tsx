'use client';

import { SEVERITY_CLASS } from '../explain/severity-class';
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import type { ResponseOf } from '@/lib/api/contract';
import type { EffectiveNsgView, NsgRuleRow } from '@/lib/server/views/azure-overview';
import type { Finding } from '@/lib/posture/finding';
import { azureQuery } from '../api/queries';
import { EgressPathDiagram } from './EgressPathDiagram';

type AzureData = ResponseOf<'/api/azure'>;

const TABS = [
  ['nsgs', 'NSGs'],
  ['effective', 'Effective rules'],
  ['egress', 'Egress path'],
  ['firewall', 'Firewall'],
  ['findings', 'Findings'],
  ['errors', 'Source errors'],
] as const;
type Tab = (typeof TABS)[number][0];


/** View state lives in the URL (tab, selected NSG, selected subnet/NIC) so a view can be shared. */
function useViewState() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const tabParam = params.get('tab');
  const tab: Tab = TABS.some(([t]) => t === tabParam) ? (tabParam as Tab) : 'nsgs';
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };
  return { tab, nsg: params.get('nsg'), target: params.get('target'), set };
}

function Severity({ s }: { s: string }) {
  return <span className={`rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase ${SEVERITY_CLASS[s as keyof typeof SEVERITY_CLASS] ?? ''}`}>{s}</span>;
}

/** A rule naming a service tag whose ranges are not loaded: verdicts through it are unknown, not "no match". */
function UnresolvedTags({ tags }: { tags?: string[] }) {
  if (!tags?.length) return null;
  return (
    <span data-testid="unresolved-tag" title="These service tag ranges are not loaded: verdicts that depend on this rule are unknown" className="ml-1 rounded bg-amber-100 px-1 text-[10px] text-amber-800">
      tag not loaded: {tags.join(', ')}
    </span>
  );
}

/** Which published service tag lists are loaded, and which tags named by rules are missing from them. */
function ServiceTagsNotice({ data }: { data: AzureData }) {
  const { lists, unresolved } = data.serviceTags;
  const loaded = lists.length ? lists.map((l) => `${l.origin} (${[l.cloud, l.changeNumber && `change ${l.changeNumber}`, `${l.tags} tags`].filter(Boolean).join(', ')})`).join('; ') : 'none';
  if (unresolved.length === 0) {
    return (
      <p data-testid="service-tags" className="mb-2 text-xs text-slate-500">
        Service tag ranges: {loaded}
      </p>
    );
  }
  return (
    <div data-testid="service-tags" data-unresolved={unresolved.length} className="mb-2 rounded border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900">
      <b>Verdicts through these rules are unknown:</b> their service tags cannot be expanded (loaded: {loaded}). Add{' '}
      <code>az network list-service-tags --location &lt;region&gt; -o json</code> output to the export.
      <ul className="list-disc pl-4">
        {unresolved.map((u) => (
          <li key={u.tag} data-testid="unresolved-service-tag" data-tag={u.tag}>
            <span className="font-mono">{u.tag}</span>: {u.usedBy.join(', ')}
          </li>
        ))}
      </ul>
    </div>
  );
}

function RuleTable({ rules, testid }: { rules: NsgRuleRow[]; testid: string }) {
  return (
    <table data-testid={testid} className="w-full text-left text-xs">
      <thead className="text-slate-500">
        <tr>
          <th className="py-1 pr-2">Priority</th>
          <th className="pr-2">Name</th>
          <th className="pr-2">Direction</th>
          <th className="pr-2">Access</th>
          <th className="pr-2">Protocol</th>
          <th className="pr-2">Source</th>
          <th className="pr-2">Destination</th>
          <th className="pr-2">Ports</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <tr
            key={`${r.direction}-${r.name}`}
            data-testid="nsg-rule"
            data-rule={r.name}
            data-default={r.isDefault}
            data-flagged={r.flag ? r.flag.severity : undefined}
            className={`border-t border-slate-100 ${r.isDefault ? 'text-slate-500' : ''} ${r.flag ? 'bg-red-50' : ''}`}
            title={r.description}
          >
            <td className="py-1 pr-2 font-mono">{r.priority}</td>
            <td className="pr-2 font-mono">
              {r.name}
              {r.isDefault && <span className="ml-1 rounded bg-slate-200 px-1 text-[10px] text-slate-600">default</span>}
            </td>
            <td className="pr-2">{r.direction}</td>
            <td className={`pr-2 font-semibold ${r.access === 'Allow' ? 'text-green-700' : 'text-red-700'}`}>{r.access}</td>
            <td className="pr-2">{r.protocol}</td>
            <td className="pr-2 font-mono">{r.source}</td>
            <td className="pr-2 font-mono">{r.destination}</td>
            <td className="pr-2 font-mono">{r.destinationPorts}</td>
            <td>
              <UnresolvedTags tags={r.unresolvedTags} />
              {r.flag && (
                <span data-testid="rule-flag" title={r.flag.title} className="inline-flex items-center gap-1">
                  <Severity s={r.flag.severity} /> {r.flag.id}
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NsgsTab({ data, selected, select }: { data: AzureData; selected: string | null; select(name: string): void }) {
  const nsg = data.nsgs.find((n) => n.name === selected) ?? data.nsgs[0];
  if (!nsg) return <p className="text-sm text-slate-500">No NSGs in the Azure data.</p>;
  return (
    <div className="flex gap-4">
      <ul className="w-64 shrink-0 text-sm" data-testid="nsg-list">
        {data.nsgs.map((n) => (
          <li key={n.id}>
            <button type="button" onClick={() => select(n.name)} className={`w-full truncate rounded px-2 py-1 text-left ${n.name === nsg.name ? 'bg-sky-100 text-sky-900' : 'hover:bg-slate-100'}`}>
              {n.name}
              {n.rules.some((r) => r.flag) && <span className="ml-1 text-red-700">●</span>}
            </button>
          </li>
        ))}
      </ul>
      <div className="min-w-0 flex-1" data-testid="nsg-detail" data-nsg={nsg.name}>
        <h2 className="text-sm font-semibold">{nsg.name}</h2>
        <p className="mb-2 text-xs text-slate-600">
          attached to {nsg.subnets.length ? `subnets ${nsg.subnets.join(', ')}` : 'no subnet'}
          {nsg.nics.length ? `; NICs ${nsg.nics.join(', ')}` : ''}. Rules by priority, first match wins; Azure&apos;s default rules (65000+) are marked.
        </p>
        <RuleTable rules={nsg.rules} testid="nsg-rules" />
        {nsg.truncated && <p className="text-xs text-amber-700">more rules than shown (list capped)</p>}
      </div>
    </div>
  );
}

function EffectiveList({ title, layers }: { title: string; layers: EffectiveNsgView[] }) {
  return (
    <section className="flex flex-col gap-1">
      <h3 className="text-xs font-semibold text-slate-700">{title}</h3>
      {layers.length === 0 && <p className="text-xs text-slate-500">no NSG on this path: everything is allowed at this layer</p>}
      {layers.map((l, i) => (
        <div key={`${l.nsg}-${i}`}>
          <p className="text-xs text-slate-600">
            {i + 1}. NSG <b>{l.nsg}</b> (on the {l.attachedTo}) {layers.length > 1 ? '— must allow too' : ''}
          </p>
          <RuleTable rules={l.rules} testid={`effective-${title.startsWith('Inbound') ? 'inbound' : 'outbound'}-${i}`} />
        </div>
      ))}
    </section>
  );
}

function EffectiveTab({ data, selected, select }: { data: AzureData; selected: string | null; select(key: string): void }) {
  const keyOf = (t: { kind: string; name: string }) => `${t.kind}:${t.name}`;
  const target = data.targets.find((t) => keyOf(t) === selected) ?? data.targets[0];
  if (!target) return <p className="text-sm text-slate-500">No subnets or NICs in the Azure data.</p>;
  return (
    <div className="flex gap-4">
      <ul className="w-64 shrink-0 text-sm" data-testid="target-list">
        {data.targets.map((t) => (
          <li key={t.id}>
            <button type="button" onClick={() => select(keyOf(t))} className={`w-full truncate rounded px-2 py-1 text-left ${keyOf(t) === keyOf(target) ? 'bg-sky-100 text-sky-900' : 'hover:bg-slate-100'}`}>
              <span className="mr-1 text-[10px] uppercase text-slate-500">{t.kind}</span>
              {t.name}
            </button>
          </li>
        ))}
      </ul>
      <div className="flex min-w-0 flex-1 flex-col gap-3" data-testid="effective-detail" data-target={keyOf(target)}>
        <h2 className="text-sm font-semibold">
          {target.kind === 'nic' ? 'NIC' : 'Subnet'} {target.name} <span className="font-normal text-slate-500">{target.parent ? `in ${target.parent}` : ''} · {target.addressPrefixes.join(', ')}</span>
        </h2>
        <EffectiveList title="Inbound (subnet NSG, then NIC NSG)" layers={target.inbound} />
        <EffectiveList title="Outbound (NIC NSG, then subnet NSG)" layers={target.outbound} />
      </div>
    </div>
  );
}

function FirewallTab({ data }: { data: AzureData }) {
  if (data.firewalls.length === 0) return <p className="text-sm text-slate-500">No Azure Firewall in the Azure data.</p>;
  return (
    <div className="flex flex-col gap-4">
      {data.firewalls.map((fw) => (
        <section key={fw.name} data-testid="firewall" data-firewall={fw.name}>
          <h2 className="text-sm font-semibold">
            Azure Firewall {fw.name} <span className="font-normal text-slate-500">{fw.privateIp} · {fw.policy ? `policy ${fw.policy}` : 'classic rules'}</span>
          </h2>
          <p className="mb-1 text-xs text-slate-600">
            Processing order: DNAT, then network, then application rules; within each, group then collection priority. Hits are observed flows to the internet ({data.hits.evaluated} destinations evaluated) that the rule decides.
          </p>
          <table data-testid="firewall-rules" className="w-full text-left text-xs">
            <thead className="text-slate-500">
              <tr>
                <th className="py-1 pr-2">Kind</th>
                <th className="pr-2">Group</th>
                <th className="pr-2">Collection</th>
                <th className="pr-2">Action</th>
                <th className="pr-2">Rule</th>
                <th className="pr-2">Match</th>
                <th className="pr-2 text-right">Hits</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {fw.rules.map((r) => (
                <tr key={r.key} data-testid="firewall-rule" data-rule={r.rule} data-hits={r.hits} className={`border-t border-slate-100 ${r.flag ? 'bg-red-50' : ''}`}>
                  <td className="py-1 pr-2">{r.kind}</td>
                  <td className="pr-2">{r.group ? `${r.group} (${r.groupPriority})` : '—'}</td>
                  <td className="pr-2">
                    {r.collection} ({r.collectionPriority})
                  </td>
                  <td className={`pr-2 font-semibold ${r.action === 'Deny' ? 'text-red-700' : 'text-green-700'}`}>{r.action}</td>
                  <td className="pr-2 font-mono">{r.rule}</td>
                  <td className="pr-2 font-mono">{r.match}</td>
                  <td className="pr-2 text-right font-mono" data-testid="rule-hits">
                    {r.hits}
                  </td>
                  <td>
                    <UnresolvedTags tags={r.unresolvedTags} />
                    {r.flag && <span data-testid="rule-flag" title={r.flag.title}><Severity s={r.flag.severity} /></span>}
                  </td>
                </tr>
              ))}
              <tr className="border-t border-slate-300 text-slate-600" data-testid="firewall-default-deny">
                <td className="py-1 pr-2" colSpan={6}>
                  default deny (no rule matched)
                </td>
                <td className="pr-2 text-right font-mono">{fw.defaultDenyHits}</td>
                <td />
              </tr>
            </tbody>
          </table>
          {fw.notes.length > 0 && <p className="text-xs text-amber-700">{fw.notes.join('; ')}</p>}
        </section>
      ))}
      <section data-testid="top-denied">
        <h3 className="text-xs font-semibold text-slate-700">Top denied FQDNs</h3>
        {data.topDenied.length === 0 ? (
          <p className="text-xs text-slate-500">no observed flow to the internet would be denied by the firewall</p>
        ) : (
          <ol className="list-decimal pl-5 text-xs">
            {data.topDenied.map((d) => (
              <li key={d.fqdn} data-testid="denied-fqdn" data-fqdn={d.fqdn}>
                <span className="font-mono">{d.fqdn}</span> — {d.flows} flows from {d.workloads.join(', ')}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function FindingCard({ f }: { f: Finding }) {
  return (
    <li data-testid="azure-finding" data-key={f.key} className="rounded border border-slate-200 p-2">
      <p className="flex items-center gap-2 text-sm">
        <Severity s={f.severity} /> <b>{f.title}</b>
      </p>
      {f.evidence.map((e, i) => (
        <p key={i} className="text-xs text-slate-600">
          {e.text}
        </p>
      ))}
      <p className="mt-1 text-xs text-slate-700">Fix: {f.fix.text}</p>
      {f.fix.commands && f.fix.commands.length > 0 && <pre className="mt-1 overflow-x-auto rounded bg-slate-900 p-2 text-[10px] text-slate-100">{f.fix.commands.join('\n')}</pre>}
    </li>
  );
}

function ErrorsTab({ data }: { data: AzureData }) {
  if (data.errorCount === 0) return <p className="text-sm text-slate-500">The Azure source loaded without errors.</p>;
  return (
    <ul className="flex flex-col gap-2" data-testid="source-errors">
      {data.errors.map((e, i) => (
        <li key={i} data-testid="source-error" data-code={e.code} className={`rounded border p-2 text-xs ${e.signIn ? 'border-amber-300 bg-amber-50' : 'border-red-200 bg-red-50'}`}>
          <b>{e.code}</b> {[e.where.file, e.where.resource, e.where.field && `field ${e.where.field}`].filter(Boolean).join(' · ')}
          <p>{e.message}</p>
          {e.signIn && (
            <pre data-testid="sign-in-help" className="mt-1 rounded bg-slate-900 p-2 text-[10px] text-slate-100">
              {'az login\n# or, for a service principal / workload identity:\n# AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=…  (or AZURE_FEDERATED_TOKEN_FILE)\n# then reload this page'}
            </pre>
          )}
        </li>
      ))}
      {data.errorCount > data.errors.length && <li className="text-xs text-slate-500">{data.errorCount - data.errors.length} more not shown</li>}
    </ul>
  );
}

/** The /azure page: NSGs, effective rules, egress path, firewall with hits, findings, source errors. */
export function AzureView() {
  const q = useQuery(azureQuery());
  const view = useViewState();
  const data = q.data;
  return (
    <div className="flex h-full flex-col">
      <div className="flex items-center gap-3 border-b border-slate-200 bg-slate-50 px-4 py-2 text-xs text-slate-600">
        <b className="text-sm text-slate-900">Azure network</b>
        {data && (
          <span data-testid="azure-source">
            {data.source.kind} · {data.source.origin} · {data.counts.nsgs} NSGs, {data.counts.subnets} subnets, {data.counts.nics} NICs, {data.counts.routeTables} route tables, {data.counts.firewalls} firewalls · loaded {new Date(data.loadedAt).toLocaleTimeString()}
          </span>
        )}
        {data && data.errorCount > 0 && (
          <button type="button" onClick={() => view.set({ tab: 'errors' })} data-testid="source-error-badge" className="rounded bg-red-100 px-2 py-0.5 text-red-800">
            {data.errorCount} source error{data.errorCount > 1 ? 's' : ''}
          </button>
        )}
      </div>
      <nav className="flex gap-1 border-b border-slate-200 px-4 pt-2 text-sm" role="tablist">
        {TABS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={view.tab === id}
            data-testid={`tab-${id}`}
            onClick={() => view.set({ tab: id })}
            className={`rounded-t px-3 py-1 ${view.tab === id ? 'border border-b-0 border-slate-200 bg-white font-semibold' : 'text-slate-600 hover:bg-slate-100'}`}
          >
            {label}
            {id === 'findings' && data ? ` (${data.findings.length})` : ''}
          </button>
        ))}
      </nav>
      <div className="min-h-0 flex-1 overflow-auto p-4">
        {q.isLoading && <p className="text-sm text-slate-500">loading Azure data…</p>}
        {q.error && (
          <p role="alert" className="text-sm text-red-700">
            {q.error.message}
          </p>
        )}
        {data && (view.tab === 'nsgs' || view.tab === 'effective' || view.tab === 'firewall') && <ServiceTagsNotice data={data} />}
        {data && view.tab === 'nsgs' && <NsgsTab data={data} selected={view.nsg} select={(nsg) => view.set({ nsg })} />}
        {data && view.tab === 'effective' && <EffectiveTab data={data} selected={view.target} select={(target) => view.set({ target })} />}
        {data && view.tab === 'egress' && (
          <div className="flex flex-col gap-4">
            {data.egress.length === 0 && <p className="text-sm text-slate-500">No cluster subnet found in the Azure data.</p>}
            {data.egress.map((e) => (
              <EgressPathDiagram key={e.subnet} egress={e} />
            ))}
          </div>
        )}
        {data && view.tab === 'firewall' && <FirewallTab data={data} />}
        {data && view.tab === 'findings' && (
          <ul className="flex flex-col gap-2" data-testid="azure-findings">
            {data.findings.length === 0 && <li className="text-sm text-slate-500">no Azure findings</li>}
            {data.findings.map((f) => (
              <FindingCard key={f.key} f={f} />
            ))}
          </ul>
        )}
        {data && view.tab === 'errors' && <ErrorsTab data={data} />}
      </div>
    </div>
  );
}
