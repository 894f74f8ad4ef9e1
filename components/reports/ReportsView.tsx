'use client';

/**
 * The /reports page: ask for an evidence report (a range and a scope; both kept in the URL so a link
 * asks the same again), watch it being made (the POST streams progress lines), and list the past
 * reports with their files. The new report is shown first and highlighted when it is done.
 */

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '@/lib/api/problem';
import type { ReportSummary } from '@/lib/server/reports/evidence-reports';
import { meQuery, namespaceNamesQuery } from '../api/queries';
import { postReport, reportsQuery, type ReportRequestBody } from '../api/reports';
import { fromLocalInput, shortTime, toLocalInput } from '../search/time-range';
import { useUrlQuery } from '../use-url-query';
import { Badge, SeverityTag } from './ReportBits';
import { durationText, REPORT_FILES, reportFileUrl, reportViewUrl, scopeText, scoreClass, SEVERITIES } from './report-format';
import { parseNamespaceList, readReportForm, REPORT_PRESETS, reportBody, writeReportForm, type ReportForm } from './report-form';

type Generation =
  | { phase: 'idle' }
  | { phase: 'running'; step: string; fraction: number }
  | { phase: 'done'; report: ReportSummary }
  | { phase: 'error'; message: string; status: number };

/** One report at a time from this page: `generate(body)` streams it; leaving the page stops reading (the server still finishes it). */
function useGeneration() {
  const [state, setState] = useState<Generation>({ phase: 'idle' });
  // The last report this page made: highlighted in the list, also while the next one is being made.
  const [last, setLast] = useState<ReportSummary | null>(null);
  const current = useRef<AbortController | null>(null);
  const client = useQueryClient();
  useEffect(() => () => current.current?.abort(), []);
  const generate = useCallback(
    (body: ReportRequestBody) => {
      current.current?.abort();
      const ac = new AbortController();
      current.current = ac;
      setState({ phase: 'running', step: 'sending the request', fraction: 0 });
      postReport(body, { signal: ac.signal, onProgress: (p) => setState({ phase: 'running', step: p.step, fraction: p.fraction }) }).then(
        (report) => {
          if (ac.signal.aborted) return;
          setState({ phase: 'done', report });
          setLast(report);
          void client.invalidateQueries({ queryKey: reportsQuery().queryKey });
        },
        (e: unknown) => {
          if (ac.signal.aborted) return;
          const err = e instanceof ApiError ? e : null;
          setState({ phase: 'error', message: err?.message ?? (e instanceof Error ? e.message : String(e)), status: err?.status ?? 0 });
          void client.invalidateQueries({ queryKey: reportsQuery().queryKey });
        },
      );
    },
    [client],
  );
  return { state, last, generate };
}

const choice = (on: boolean) => `rounded border px-2.5 py-1 text-xs ${on ? 'border-slate-800 bg-slate-800 text-white' : 'border-slate-300 bg-white text-slate-700 hover:bg-slate-100'}`;

function RangeField({ form, set }: { form: ReportForm; set(f: ReportForm): void }) {
  const custom = form.range.kind === 'custom' ? form.range : null;
  const startCustom = () => {
    const now = Date.now();
    set({ ...form, range: { kind: 'custom', since: new Date(now - 24 * 3_600_000).toISOString(), until: new Date(now).toISOString() } });
  };
  const local = (iso: string) => {
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? toLocalInput(ms) : '';
  };
  return (
    <fieldset className="flex flex-col gap-2" data-testid="report-range">
      <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Range</legend>
      <div className="flex flex-wrap items-center gap-1" role="group" aria-label="Range presets">
        {REPORT_PRESETS.map((p) => {
          const on = form.range.kind === 'preset' && form.range.preset === p.key;
          return (
            <button key={p.key} type="button" data-testid={`report-range-${p.key}`} aria-pressed={on} className={choice(on)} onClick={() => set({ ...form, range: { kind: 'preset', preset: p.key } })}>
              last {p.label}
            </button>
          );
        })}
        <button type="button" data-testid="report-range-custom" aria-pressed={!!custom} className={choice(!!custom)} onClick={() => !custom && startCustom()}>
          custom…
        </button>
      </div>
      {custom && (
        <div className="flex flex-wrap items-center gap-3 text-xs" data-testid="report-custom-range">
          <label className="flex items-center gap-1.5">
            <span className="text-slate-600">from</span>
            <input
              type="datetime-local"
              data-testid="report-since"
              value={local(custom.since)}
              onChange={(e) => set({ ...form, range: { ...custom, since: fromLocalInput(e.target.value) ?? '' } })}
              className="rounded border border-slate-300 px-1.5 py-1"
            />
          </label>
          <label className="flex items-center gap-1.5">
            <span className="text-slate-600">to</span>
            <input
              type="datetime-local"
              data-testid="report-until"
              value={local(custom.until)}
              onChange={(e) => set({ ...form, range: { ...custom, until: fromLocalInput(e.target.value) ?? '' } })}
              className="rounded border border-slate-300 px-1.5 py-1"
            />
          </label>
          <span className="text-slate-500">
            local time{!custom.until && '; no end: up to now'}
            {custom.since && !local(custom.since) && (
              <>
                ; from the link: <span className="font-mono">since={custom.since}</span>
              </>
            )}
          </span>
        </div>
      )}
    </fieldset>
  );
}

function ScopeField({ form, set, known, scoped }: { form: ReportForm; set(f: ReportForm): void; known: string[]; scoped: boolean }) {
  const [text, setText] = useState(() => form.namespaces.join(', '));
  // The list as the URL (or a checkbox) has it, unless what is typed already means it.
  useEffect(() => {
    setText((t) => (parseNamespaceList(t).join(',') === form.namespaces.join(',') ? t : form.namespaces.join(', ')));
  }, [form.namespaces]);
  const toggle = (ns: string) => set({ ...form, scope: 'namespaces', namespaces: form.namespaces.includes(ns) ? form.namespaces.filter((n) => n !== ns) : [...form.namespaces, ns] });
  return (
    <fieldset className="flex flex-col gap-2" data-testid="report-scope">
      <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Scope</legend>
      <div className="flex flex-wrap gap-4 text-sm">
        <label className={`flex items-center gap-1.5 ${scoped ? 'text-slate-400' : ''}`} title={scoped ? 'A cluster report needs read access to every namespace' : undefined}>
          <input type="radio" name="report-scope" data-testid="report-scope-cluster" checked={form.scope === 'cluster'} disabled={scoped} onChange={() => set({ ...form, scope: 'cluster' })} />
          whole cluster
        </label>
        <label className="flex items-center gap-1.5">
          <input type="radio" name="report-scope" data-testid="report-scope-namespaces" checked={form.scope === 'namespaces'} onChange={() => set({ ...form, scope: 'namespaces' })} />
          namespaces
        </label>
      </div>
      {scoped && <p className="text-xs text-slate-500">You may read some namespaces only: a report names them (a cluster report covers every namespace).</p>}
      {form.scope === 'namespaces' && (
        <div className="flex flex-col gap-2">
          {known.length > 0 && (
            <div className="flex max-h-32 flex-wrap gap-1 overflow-y-auto" role="group" aria-label="Namespaces" data-testid="report-namespace-options">
              {known.map((ns) => {
                const on = form.namespaces.includes(ns);
                return (
                  <label key={ns} className={`flex cursor-pointer items-center gap-1 rounded border px-2 py-0.5 font-mono text-xs ${on ? 'border-sky-600 bg-sky-50 text-sky-900' : 'border-slate-300 bg-white text-slate-700 hover:bg-slate-50'}`}>
                    <input type="checkbox" className="h-3 w-3" checked={on} onChange={() => toggle(ns)} data-testid="report-namespace-option" data-namespace={ns} />
                    {ns}
                  </label>
                );
              })}
            </div>
          )}
          <label className="flex flex-col gap-1 text-xs">
            <span className="text-slate-600">namespaces, comma-separated</span>
            <input
              type="text"
              data-testid="report-namespaces"
              value={text}
              placeholder="payments, shop"
              spellCheck={false}
              onChange={(e) => {
                setText(e.target.value);
                set({ ...form, scope: 'namespaces', namespaces: parseNamespaceList(e.target.value) });
              }}
              className="rounded border border-slate-300 px-2 py-1 font-mono"
            />
          </label>
        </div>
      )}
    </fieldset>
  );
}

function ProgressBar({ step, fraction }: { step: string; fraction: number }) {
  const percent = Math.max(0, Math.min(100, Math.round(fraction * 100)));
  return (
    <div className="flex flex-col gap-1 rounded border border-sky-200 bg-sky-50 px-3 py-2 text-xs text-sky-950">
      <div className="flex items-center justify-between gap-2">
        <span data-testid="report-progress-step">{step}…</span>
        <span className="font-mono">{percent}%</span>
      </div>
      <div role="progressbar" aria-label="Making the evidence report" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={`${percent}%: ${step}`} data-testid="report-progress" className="h-2 overflow-hidden rounded bg-sky-100">
        <div className="h-full rounded bg-sky-600 transition-[width] duration-300" style={{ width: `${percent}%` }} />
      </div>
      <p className="text-[11px] text-sky-800">The report is made on the server, with the browser drawing the map and printing the PDF; it is listed below when done, even if you leave this page.</p>
    </div>
  );
}

function FileLinks({ r }: { r: ReportSummary }) {
  const present = new Set(r.files.map((f) => f.name));
  return (
    <span className="flex flex-wrap gap-x-2 gap-y-0.5">
      <a href={reportViewUrl(r.id)} className="font-medium text-sky-700 hover:underline" data-testid="report-view">
        View
      </a>
      {REPORT_FILES.filter((f) => f.name === 'manifest.json' || present.has(f.name)).map((f) => (
        <a key={f.name} href={reportFileUrl(r.id, f.name, true)} className="text-sky-700 hover:underline" data-testid={`report-file-${f.name}`} title={`Download ${f.name}`}>
          {f.label}
        </a>
      ))}
    </span>
  );
}

function CompleteBadge({ r }: { r: ReportSummary }) {
  return r.complete ? (
    <Badge tone="good" testId="report-complete">
      complete
    </Badge>
  ) : (
    <Badge tone="warn" testId="report-complete" title={r.problems.join('\n')}>
      incomplete
    </Badge>
  );
}

function FindingCounts({ r }: { r: ReportSummary }) {
  if (!r.findings) return <span className="text-slate-400">—</span>;
  const present = SEVERITIES.filter((s) => r.findings![s] > 0);
  if (present.length === 0) return <span className="text-slate-500">none</span>;
  return (
    <span className="flex flex-wrap gap-x-2 gap-y-0.5" data-testid="report-findings">
      {present.map((s) => (
        <span key={s} className="inline-flex items-center gap-0.5" title={`${r.findings![s]} ${s}`}>
          <SeverityTag s={s} />
          <b className="font-mono text-xs">{r.findings![s]}</b>
        </span>
      ))}
    </span>
  );
}

/** `29 Nov 09:30:41` in local time; the year too when it is not this year's. */
const localTime = (iso: string) => {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const year = new Date(ms).getFullYear();
  return year === new Date().getFullYear() ? shortTime(ms) : shortTime(ms).replace(/^(\d+ \S+)/, `$1 ${year}`);
};

function ReportRow({ r, fresh }: { r: ReportSummary; fresh: boolean }) {
  const length = durationText(Date.parse(r.range.until) - Date.parse(r.range.since));
  return (
    <tr data-testid="report-row" data-id={r.id} data-fresh={fresh || undefined} className={`border-t border-slate-200 align-top ${fresh ? 'bg-sky-50 outline outline-2 -outline-offset-2 outline-sky-400' : 'hover:bg-slate-50'}`}>
      <td className="px-2 py-1.5 whitespace-nowrap" title={r.generatedAt}>
        {localTime(r.generatedAt)}
        {fresh && (
          <span className="ml-1">
            <Badge tone="neutral">new</Badge>
          </span>
        )}
        <span className="block font-mono text-[11px] text-slate-400">{r.id}</span>
      </td>
      <td className="px-2 py-1.5" title={`${r.range.since} → ${r.range.until}`}>
        {localTime(r.range.since)} → {localTime(r.range.until)}
        {length && <span className="block text-[11px] text-slate-500">{length}</span>}
      </td>
      <td className="px-2 py-1.5 break-words">{scopeText(r.scope)}</td>
      <td className="px-2 py-1.5 break-all">{r.requestedBy}</td>
      <td className={`px-2 py-1.5 text-right font-mono font-semibold ${r.score === null ? 'text-slate-400' : scoreClass(r.score)}`} data-testid="report-score">
        {r.score ?? '—'}
      </td>
      <td className="px-2 py-1.5">
        <FindingCounts r={r} />
      </td>
      <td className="px-2 py-1.5">
        <CompleteBadge r={r} />
        {!r.complete && r.problems.length > 0 && (
          <ul className="mt-0.5 max-w-56 text-[11px] text-amber-900">
            {r.problems.map((p) => (
              <li key={p} className="break-words">
                {p}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="px-2 py-1.5">
        <FileLinks r={r} />
      </td>
    </tr>
  );
}

function ResultPanel({ r }: { r: ReportSummary }) {
  return (
    <div data-testid="report-result" data-id={r.id} data-complete={r.complete} className={`flex flex-col gap-1 rounded border px-3 py-2 text-sm ${r.complete ? 'border-green-300 bg-green-50 text-green-950' : 'border-amber-300 bg-amber-50 text-amber-950'}`}>
      <p className="flex flex-wrap items-center gap-2">
        <CompleteBadge r={r} />
        <span>
          Report <span className="font-mono">{r.id}</span> {r.complete ? 'is ready.' : 'was made, but not every part of it:'}
        </span>
        <FileLinks r={r} />
      </p>
      {!r.complete && (
        <ul className="list-disc pl-5 text-xs" data-testid="report-problems">
          {r.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ReportsView() {
  const { query, update } = useUrlQuery();
  const form = useMemo(() => readReportForm(new URLSearchParams(query)), [query]);
  const set = useCallback((f: ReportForm) => update((p) => writeReportForm(p, f)), [update]);
  const me = useQuery(meQuery());
  const names = useQuery(namespaceNamesQuery());
  const list = useQuery(reportsQuery());
  const { state, last, generate } = useGeneration();

  const scoped = Array.isArray(me.data?.namespaces);
  const known = useMemo(() => {
    const all = new Set<string>(Array.isArray(me.data?.namespaces) ? me.data.namespaces : (names.data ?? []));
    for (const ns of form.namespaces) all.add(ns);
    return [...all].sort();
  }, [me.data, names.data, form.namespaces]);
  // A user who may read some namespaces only cannot ask for a cluster report: start them on namespaces.
  useEffect(() => {
    if (scoped && form.scope === 'cluster') set({ ...form, scope: 'namespaces' });
  }, [scoped, form, set]);

  const body = reportBody(form);
  const running = state.phase === 'running';
  const fresh = last;
  const rows = useMemo(() => {
    const listed = list.data?.reports ?? [];
    return fresh ? [fresh, ...listed.filter((r) => r.id !== fresh.id)] : listed;
  }, [list.data, fresh]);
  const othersRunning = !running && (list.data?.inProgress ?? 0) > 0;

  return (
    <div className="h-full overflow-auto">
      <div className="mx-auto flex max-w-6xl flex-col gap-4 p-4">
        <header className="flex flex-col gap-1">
          <h1 className="text-lg font-semibold">Evidence reports</h1>
          <p className="text-xs text-slate-600">
            A report records what the network controls (NSGs, network policy, egress lockdown) are and what they did over a range: findings, namespace coverage, the map, denied and internet flows, and the policy, NSG and firewall inventories, as a PDF, a PNG and JSON with a manifest of SHA-256 sums.
          </p>
        </header>

        <form
          data-testid="report-form"
          className="flex flex-col gap-4 rounded border border-slate-200 bg-white p-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (body.ok && !running) generate(body.body);
          }}
        >
          <div className="grid gap-6 md:grid-cols-2">
            <RangeField form={form} set={set} />
            <ScopeField form={form} set={set} known={known} scoped={scoped} />
          </div>
          <div className="flex flex-wrap items-center gap-3">
            <button type="submit" data-testid="report-generate" disabled={!body.ok || running} className="rounded bg-slate-800 px-4 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-50">
              {running ? 'Generating…' : 'Generate report'}
            </button>
            {!body.ok && (
              <span className="text-xs text-amber-800" data-testid="report-form-problem">
                {body.problem}
              </span>
            )}
            {othersRunning && <span className="text-xs text-slate-500">Another report is being made now; a new one can start when it is done.</span>}
          </div>
          {state.phase === 'running' && <ProgressBar step={state.step} fraction={state.fraction} />}
          {state.phase === 'error' && (
            <p role="alert" data-testid="report-error" className="whitespace-pre-line rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900">
              {state.status ? <b className="mr-1 font-semibold">Not made ({state.status}):</b> : <b className="mr-1 font-semibold">Not made:</b>}
              {state.message}
            </p>
          )}
        </form>

        {state.phase === 'done' && <ResultPanel r={state.report} />}

        <section className="flex flex-col gap-2 rounded border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">
            Past reports {list.data && <span className="text-sm font-normal text-slate-500">({rows.length})</span>}
          </h2>
          {list.error && (
            <p role="alert" className="text-sm text-red-700">
              {list.error.message}
            </p>
          )}
          {list.isLoading && <p className="text-sm text-slate-500">loading…</p>}
          {list.data && rows.length === 0 && <p className="text-sm text-slate-500" data-testid="report-list-empty">No reports yet: generate one above.</p>}
          {rows.length > 0 && (
            <div className="overflow-x-auto">
              <table className="w-full text-left text-xs" data-testid="report-list">
                <thead className="text-[11px] uppercase tracking-wide text-slate-500">
                  <tr>
                    <th className="px-2 py-1">Generated</th>
                    <th className="px-2 py-1">Range</th>
                    <th className="px-2 py-1">Scope</th>
                    <th className="px-2 py-1">Requested by</th>
                    <th className="px-2 py-1 text-right">Score</th>
                    <th className="px-2 py-1">Findings</th>
                    <th className="px-2 py-1">Status</th>
                    <th className="px-2 py-1">Files</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <ReportRow key={r.id} r={r} fresh={fresh?.id === r.id} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
