/**
 * The HTTP API in one place: what each endpoint answers (types, declared once, shared by the route
 * handlers and the browser) and how each one's parameters are parsed. Every failure is problem
 * details (./problem.ts). The browser imports only types from here (`import type`), so the parsers
 * never reach its bundle; they are plain, browser-safe modules all the same.
 */

import type { FilterExplanation } from '../flows/filter-explanation';
import type { FlowRecord } from '../flows/flow-record';
import type { GraphSnapshot } from '../graph/types';
import type { CompletionField, Histogram, StoreStatus } from '../history/flow-store';
import type { EgressInventory } from '../server/views/egress-inventory';
import type { Explanation } from '../server/views/explain-connection';
import type { PolicyCatalog } from '../server/views/policy-catalog';
import type { MapPosture, PostureReport, SourceHealth } from '../posture/posture-report';
import type { ThreeLayers } from '../layers/three-layers';
import type { AzurePageData } from '../server/views/azure-overview';
import type { HubStatus } from '../server/hub';
import type { ReportsResponse } from '../server/reports/evidence-reports';
import { describeFilterProblems, parseFlowsRequest, parseHistogramRequest, parseStreamRequest, parseValuesRequest } from './flows-request';
import { parseGraphRequest } from './graph-request';
import { parseLayersQuery } from './layers-request';
import { parseCatalogQuery, parseExplainRequest, parsePostureRequest } from './posture-requests';
import { describeParamProblems, type ParamProblem } from './problem';
import { parseNoParams } from './request-params';

/**
 * `/api/flows`: one page of matching flows, newest first, and how the filter reads. With a search
 * (`q`), a time range (`since`/`until`) or a `cursor`, the flows come from the history store; without
 * them (or with the store off) from the ring of latest flows held in memory.
 */
export interface FlowsResponse {
  flows: FlowRecord[];
  explanation: FilterExplanation;
  source: 'history' | 'live';
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** The window searched, epoch ms (null: open). */
  range: { since: number | null; until: number | null };
  /** How long the server took, ms. */
  tookMs: number;
}

/** `/api/status`: the hub's state and the flow history's (null when FLOWSIGHT_HISTORY=off). */
export type StatusResponse = HubStatus & { history: StoreStatus | null };

/** `/api/flows/histogram`: flow counts per verdict over time for a search and window. */
export type FlowsHistogramResponse = Histogram & { source: 'history' | 'live'; tookMs: number };

/** `/api/flows/values`: stored values of a field that start with `prefix`, for the query box's completion. */
export interface FlowValuesResponse {
  field: CompletionField;
  values: string[];
}

/** `/api/policies`: one page of the policy catalog, plus the cluster source's health. */
export type PoliciesResponse = PolicyCatalog & { source: SourceHealth };

/**
 * `/api/me`: who the dashboard thinks you are and what you may see. `via` is how you signed in
 * (`open`: auth is off); `namespaces` is `all` or the namespaces you may read (FLOWSIGHT_AUTHZ=namespaces).
 */
export interface MeResponse {
  via: 'open' | 'token' | 'oidc' | 'proxy';
  user: string | null;
  name: string | null;
  groups: string[];
  namespaces: 'all' | string[];
  /** Whether signing out here means anything (a proxy's users sign out at the proxy). */
  canSignOut: boolean;
}

/** What each JSON endpoint answers with a 2xx (GET). Anything else is problem details. */
export interface ApiResponses {
  /** Relay, subscription and ring state (also the header's badge), and the flow history's. */
  '/api/status': StatusResponse;
  /** The workload graph as it stands (the stream starts with the same snapshot), or of a past window (`since`/`until`) from the history. */
  '/api/graph': GraphSnapshot;
  '/api/flows': FlowsResponse;
  '/api/flows/histogram': FlowsHistogramResponse;
  '/api/flows/values': FlowValuesResponse;
  /** Scores, findings (most severe first, linked to the map), namespace badges, source health; `ns`: one namespace's. */
  '/api/posture': PostureReport;
  /** What the map draws of the posture, polled: badges, the posture layer, source health (no findings: a tenth of the size). */
  '/api/posture/map': MapPosture;
  '/api/policies': PoliciesResponse;
  /** Why a map edge or a connection is allowed or denied. */
  '/api/explain': Explanation;
  /** The NSG / network policy / firewall strip of one flow. */
  '/api/layers': ThreeLayers;
  /** The /azure page: NSGs, effective rules, egress paths, firewall rules with hits, findings. */
  '/api/azure': AzurePageData;
  /** Every workload -> internet connection with the verdict of each egress control. */
  '/api/egress': EgressInventory;
  '/api/me': MeResponse;
  /** Past evidence reports the user may read, newest first (`POST` makes one: JSON lines, see report-api.ts). */
  '/api/reports': ReportsResponse;
}

export type ApiPath = keyof ApiResponses;
export type ResponseOf<P extends ApiPath> = ApiResponses[P];

/**
 * `POST /api/login` (form `application/x-www-form-urlencoded`) and `POST /api/logout`: browser form
 * posts answered with a 303 redirect (to `next`, `/login?error=1&next=...` or `/login`), never JSON.
 * Refusals (403 cross-site, 413, 415, 429 with Retry-After) are plain text.
 */
export interface LoginForm {
  /** The shared token (`FLOWSIGHT_AUTH_TOKEN`); at most 512 characters. */
  token: string;
  /** Where to go after signing in: a path on this site (anything else becomes `/`). */
  next?: string;
}

/** What every parser answers: `ok: true` with its fields, or the problems, each naming its parameter. */
export type ParseOutcome = { ok: true } | { ok: false; problems: ParamProblem[] };

/** One endpoint's parameter parser and how its problems read in the 400's `detail`. */
export interface RequestSpec<R extends ParseOutcome> {
  parse(params: URLSearchParams): R;
  describe(problems: ParamProblem[]): string;
}

const spec = <R extends ParseOutcome>(parse: (params: URLSearchParams) => R, describe: (problems: ParamProblem[]) => string): RequestSpec<R> => ({ parse, describe });

/**
 * The endpoints that read parameters, with their parsers. (`/api/status`, `/api/azure`
 * and `/api/egress` take none and ignore what they are given.) The flow-filter wording
 * (`invalid filter "port": ...`) is kept where pages already show it.
 */
export const API_REQUESTS = {
  '/api/flows': spec(parseFlowsRequest, describeFilterProblems),
  '/api/flows/histogram': spec(parseHistogramRequest, describeFilterProblems),
  '/api/flows/values': spec(parseValuesRequest, describeParamProblems),
  '/api/stream': spec(parseStreamRequest, describeFilterProblems),
  '/api/graph': spec(parseGraphRequest, describeParamProblems),
  '/api/posture': spec(parsePostureRequest, describeParamProblems),
  '/api/posture/map': spec(parseNoParams, describeParamProblems),
  '/api/policies': spec(parseCatalogQuery, describeFilterProblems),
  '/api/explain': spec(parseExplainRequest, describeFilterProblems),
  '/api/layers': spec(parseLayersQuery, describeParamProblems),
};

export type RequestPath = keyof typeof API_REQUESTS;

/** What a route gets once its parameters are valid (`value` for most, `query` for /api/layers). */
export type RequestOf<P extends RequestPath> = Extract<ReturnType<(typeof API_REQUESTS)[P]['parse']>, { ok: true }>;
