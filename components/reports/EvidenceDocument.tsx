/**
 * The evidence report as a document: what report.pdf is printed from (headless chromium prints
 * /reports/<id>/print to A4 once `data-ready` is true) and what a person reads in the browser. A server
 * component: no hooks, no browser APIs, the same markup on screen and on paper; the toolbar is left out
 * of print, the rest paginates (rows and cards are not split, table headers repeat on each page).
 * Times are UTC so a printed report reads the same wherever it is opened.
 */

import type { ReactNode } from 'react';
import { EVIDENCE_LIMITS, type EvidenceReport } from '@/lib/server/views/evidence-report';
import { CoverageTable } from './CoverageTable';
import { FindingsList } from './FindingsList';
import { EgressDestinationsTable, TopDeniedTable } from './FlowTables';
import { AuditTable, FirewallTables, NsgTables, PolicyInventoryTable } from './InventoryTables';
import { LayerCards } from './LayerCards';
import { Section, SeverityCounts } from './ReportBits';
import { plural, rangeText, reportFileUrl, scopeText, scoreClass, utcText } from './report-format';

/**
 * Print rules. Global on purpose: the app's shell (a full-height flex body, a scrolling <main>) must let
 * the document flow over pages when printed. Only this page renders it.
 */
const PRINT_CSS = `
@page { size: A4; }
.ev-doc { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.ev-doc thead { display: table-header-group; }
.ev-doc tr, .ev-doc .ev-avoid, .ev-doc .ev-card, .ev-doc figure { break-inside: avoid; }
.ev-doc .ev-heading { break-after: avoid; }
@media print {
  html, body { height: auto !important; background: #fff !important; }
  body { display: block !important; }
  body > main { overflow: visible !important; min-height: 0 !important; }
  .ev-doc { height: auto !important; overflow: visible !important; background: #fff !important; }
  .ev-doc .ev-page-break { break-before: page; margin-top: 0 !important; }
  .ev-doc a { color: inherit !important; text-decoration: none !important; }
}
`;

/** What a truncated list is called in the document, and how many it keeps. */
const TRUNCATED_LISTS: Record<string, { title: string; limit?: number }> = {
  findings: { title: 'Findings', limit: EVIDENCE_LIMITS.findings },
  policies: { title: 'Policy inventory', limit: EVIDENCE_LIMITS.policies },
  topDenied: { title: 'Top denied flows', limit: EVIDENCE_LIMITS.topDenied },
  egress: { title: 'Egress destinations', limit: EVIDENCE_LIMITS.egress },
};

const SECTIONS = [
  ['posture', 'Posture summary'],
  ['findings', 'Findings'],
  ['coverage', 'Namespace coverage'],
  ['map', 'Map'],
  ['denied', 'Top denied flows'],
  ['egress', 'Egress destinations'],
  ['policies', 'Policy inventory'],
  ['nsgs', 'NSG rules'],
  ['firewalls', 'Firewall rules'],
  ['audit', 'AUDIT (would be denied when enforced)'],
] as const;

const TOOL = 'rounded border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100';

function Toolbar({ id }: { id: string }) {
  return (
    <nav className="flex flex-wrap items-center gap-2 print:hidden" aria-label="Report files" data-testid="evidence-toolbar">
      <a href="/reports" className={`${TOOL} mr-auto`} data-testid="evidence-back">
        ← Back to reports
      </a>
      <a href={reportFileUrl(id, 'report.pdf', true)} className="rounded bg-slate-800 px-2.5 py-1 text-xs font-medium text-white hover:bg-slate-700" data-testid="evidence-download-pdf">
        Download PDF
      </a>
      <a href={reportFileUrl(id, 'map.png', true)} className={TOOL} data-testid="evidence-download-png">
        map.png
      </a>
      <a href={reportFileUrl(id, 'report.json', true)} className={TOOL} data-testid="evidence-download-json">
        report.json
      </a>
      <a href={reportFileUrl(id, 'manifest.json', true)} className={TOOL} data-testid="evidence-download-manifest">
        manifest.json
      </a>
    </nav>
  );
}

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="contents">
      <dt className="py-0.5 text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words py-0.5 text-slate-900" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

function TitleBlock({ id, report }: { id: string; report: EvidenceReport }) {
  const c = report.cluster;
  const b = report.basis;
  return (
    <header className="mt-4 print:mt-0" data-testid="evidence-title">
      <p className="text-xs font-semibold uppercase tracking-widest text-slate-500">
        Flow<span className="text-sky-600">sight</span> · network security evidence report
      </p>
      <h1 id="title" className="mt-1 text-2xl font-bold tracking-tight" data-testid="evidence-cluster">
        {c.name}
      </h1>
      <p className="mt-0.5 text-sm text-slate-700" data-testid="evidence-range">
        {rangeText(report.range.since, report.range.until)} · {scopeText(report.scope)}
      </p>
      <dl className="mt-3 grid grid-cols-[10rem_1fr] gap-x-3 border-y border-slate-200 py-2 text-xs">
        <Field label="Report id" testId="evidence-id">
          <span className="font-mono">{id}</span>
        </Field>
        <Field label="Range">
          from {utcText(report.range.since)} to {utcText(report.range.until)}
        </Field>
        <Field label="Scope" testId="evidence-scope">
          {report.scope.kind === 'cluster' ? 'the whole cluster' : <span className="font-mono">{report.scope.namespaces.join(', ')}</span>}
        </Field>
        <Field label="Flow relay">{c.relay}</Field>
        <Field label="Datapath" testId="evidence-datapath">
          <b className="font-semibold">{c.datapath}</b> <span className="text-slate-600">({c.datapathReason})</span>
        </Field>
        <Field label="Cluster source">
          {c.source} · {plural(c.namespaces, 'namespace')}, {plural(c.pods, 'pod')}, {plural(c.policies, 'policy', 'policies')}
        </Field>
        <Field label="Azure network">{c.azure ?? <span className="font-semibold text-amber-800">none: NSGs and Azure Firewall not evaluated</span>}</Field>
        <Field label="Flows" testId="evidence-basis">
          {b.flowsInRange.toLocaleString('en-US')} in the range, from the {b.flowsFrom === 'history' ? 'flow history' : 'recent flows in memory'}; the findings weigh {b.flowsWeighed.toLocaleString('en-US')}
        </Field>
        <Field label="Format">
          <span className="font-mono">{report.schema}</span>
        </Field>
      </dl>
      {b.notes.length > 0 && (
        <ul className="ev-avoid mt-3 list-disc rounded border border-amber-300 bg-amber-50 py-2 pl-7 pr-3 text-xs text-amber-950" data-testid="evidence-notes">
          {b.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <nav className="mt-3 text-xs print:hidden" aria-label="Contents">
        <span className="text-slate-500">Contents: </span>
        {SECTIONS.map(([sid, title], i) => (
          <span key={sid}>
            {i > 0 && <span className="text-slate-300"> · </span>}
            <a href={`#${sid}`} className="text-sky-700 hover:underline">
              {title}
            </a>
          </span>
        ))}
      </nav>
    </header>
  );
}

function PostureSummary({ report }: { report: EvidenceReport }) {
  const s = report.summary;
  return (
    <Section id="posture" title="Posture summary">
      <div className="ev-avoid flex flex-wrap items-center gap-x-8 gap-y-2">
        <p className="flex items-baseline gap-2">
          <span className={`text-4xl font-bold ${scoreClass(s.score)}`} data-testid="evidence-score">
            {s.score}
          </span>
          <span className="text-sm text-slate-600">/ 100 {report.scope.kind === 'cluster' ? 'cluster-wide' : '(the lowest namespace score in scope)'}</span>
        </p>
        <div className="text-sm">
          <p className="mb-1 text-slate-600">
            <b className="text-slate-900">{plural(s.findingCount, 'finding')}</b> by severity
          </p>
          <SeverityCounts counts={s.findings} testId="evidence-severity-counts" />
        </div>
      </div>
      <div className="mt-4">
        <LayerCards layers={report.layers} />
      </div>
    </Section>
  );
}

/** The explanation printed where an Azure inventory is empty. */
function azureEmptyReason(report: EvidenceReport, what: 'NSG' | 'Azure Firewall'): string {
  if (report.scope.kind === 'namespaces') return `The ${what} rules are cluster-wide: they are listed in cluster reports only.`;
  if (!report.cluster.azure) return `No Azure network data describes this cluster: no ${what} is known, and nothing is claimed about ${what === 'NSG' ? 'NSGs' : 'the firewall'}.`;
  return what === 'NSG' ? `The Azure network data (${report.cluster.azure}) holds no NSG.` : `The Azure network data (${report.cluster.azure}) holds no Azure Firewall: egress to the internet is not filtered by a firewall.`;
}

function MapFigure({ id, report }: { id: string; report: EvidenceReport }) {
  const m = report.map;
  return (
    <figure className="ev-avoid" data-testid="evidence-map">
      {/* A plain img: the server renders it as is and the printer waits for it (the PNG is in the bundle, made before the PDF). */}
      <img
        src={`/api/reports/${encodeURIComponent(id)}/map.png`}
        width={1600}
        height={1000}
        alt={`Map of the connections observed from ${utcText(report.range.since)} to ${utcText(report.range.until)} (${scopeText(report.scope)}): ${m.nodes} nodes, ${m.edges} edges. The picture was not made if this text shows instead; the manifest says why.`}
        className="block h-auto w-full rounded border border-slate-300 bg-white"
      />
      <figcaption className="mt-1 text-xs text-slate-600" data-testid="evidence-map-caption">
        {plural(m.nodes, 'node')}, {plural(m.edges, 'edge')}
        {m.namespaces.length > 0 && (
          <>
            {' '}
            in {plural(m.namespaces.length, 'namespace')}: <span className="font-mono">{m.namespaces.join(', ')}</span>
          </>
        )}
        . Drawn by the dashboard's map for the range and scope, with the posture layer on; edge colours are the verdicts (green forwarded, red dropped, amber audit).
      </figcaption>
    </figure>
  );
}

function TruncatedNote({ truncated }: { truncated: Record<string, number> }) {
  const entries = Object.entries(truncated).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return null;
  return (
    <Section id="truncated" title="Truncated lists" intro="These lists were cut at their limit so the report stays a document; report.json holds the same cut lists, and the counts are of the whole range.">
      <ul className="list-disc pl-5 text-sm" data-testid="evidence-truncated">
        {entries.map(([name, total]) => {
          const t = TRUNCATED_LISTS[name];
          return (
            <li key={name} data-list={name}>
              <b className="font-semibold">{t?.title ?? name}</b>: {t?.limit !== undefined ? `the first ${t.limit.toLocaleString('en-US')} of ` : ''}
              {total.toLocaleString('en-US')}
            </li>
          );
        })}
      </ul>
    </Section>
  );
}

export function EvidenceDocument({ id, report }: { id: string; report: EvidenceReport }) {
  return (
    <article
      data-testid="evidence-document"
      data-ready="true"
      data-report-id={id}
      className="ev-doc h-full overflow-auto bg-slate-100 text-slate-900 print:h-auto print:overflow-visible print:bg-white"
    >
      <style dangerouslySetInnerHTML={{ __html: PRINT_CSS }} />
      <div className="mx-auto my-6 max-w-5xl rounded border border-slate-200 bg-white px-10 py-8 shadow-sm print:m-0 print:max-w-none print:rounded-none print:border-0 print:p-0 print:shadow-none">
        <Toolbar id={id} />
        <TitleBlock id={id} report={report} />
        <PostureSummary report={report} />

        <Section id="findings" title="Findings" count={`(${report.summary.findingCount})`} pageBreak>
          <FindingsList findings={report.findings} total={report.summary.findingCount} />
        </Section>

        <Section
          id="coverage"
          title="Namespace coverage"
          count={`(${report.coverage.length})`}
          intro="Per namespace with pods: how many pods a default deny isolates for ingress and for egress, whether DNS is allowed where egress is locked, and whether workloads can reach the internet (and which layer closes it)."
        >
          <CoverageTable rows={report.coverage} />
        </Section>

        <Section id="map" title="Map" pageBreak>
          <MapFigure id={id} report={report} />
        </Section>

        <Section id="denied" title="Top denied flows" count={`(${report.topDenied.length})`} intro="Paths Cilium dropped over the range, most flows first, with the policies it named as denying them.">
          <TopDeniedTable rows={report.topDenied} />
        </Section>

        <Section
          id="egress"
          title="Egress destinations"
          count={`(${report.egress.length})`}
          intro={
            <>
              Every workload → internet destination of the range, with what each control on the way out decides (in the order a packet meets them) and the deciding rule. <b>Open</b> means every layer lets it out.
            </>
          }
        >
          <EgressDestinationsTable rows={report.egress} />
        </Section>

        <Section
          id="policies"
          title="Policy inventory"
          count={`(${report.policies.length})`}
          intro="The network policies in scope, the pods each selects now, and the SHA-256 of its content (canonical JSON of apiVersion, kind, namespace, name and spec): compare with the cluster to show a policy is unchanged."
        >
          <PolicyInventoryTable rows={report.policies} />
        </Section>

        <Section id="nsgs" title="NSG rules" count={report.nsgs.length ? `(${plural(report.nsgs.length, 'NSG')})` : undefined}>
          <NsgTables nsgs={report.nsgs} why={azureEmptyReason(report, 'NSG')} />
        </Section>

        <Section id="firewalls" title="Firewall rules" count={report.firewalls.length ? `(${plural(report.firewalls.length, 'firewall')})` : undefined}>
          <FirewallTables firewalls={report.firewalls} why={azureEmptyReason(report, 'Azure Firewall')} />
        </Section>

        <Section
          id="audit"
          title="AUDIT (would be denied when enforced)"
          count={`(${report.audit.length})`}
          intro="Flows that passed only because the policy that would deny them runs in audit mode, counted for the namespace whose policy it is."
        >
          <AuditTable rows={report.audit} />
        </Section>

        <TruncatedNote truncated={report.truncated} />

        <footer className="mt-10 border-t border-slate-200 pt-2 text-[11px] text-slate-500">
          Report {id}. The bundle&apos;s manifest.json lists every file with its SHA-256; check a copy with <span className="font-mono">sha256sum</span>. This document is printed from report.json.
        </footer>
      </div>
    </article>
  );
}

