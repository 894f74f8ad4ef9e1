/**
 * The one error shape every route answers with: RFC 9457 problem details
 * (`application/problem+json`), and the browser's `ApiError` that reads it back.
 * Plain TypeScript: imported by route handlers and by the browser alike.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One bad request parameter: which one and why, in words a person can act on. */
export interface ParamProblem {
  param: string;
  message: string;
  /** For a search query: the 1-based column of the query text the message is about. */
  column?: number;
  /** For a multi-line value (a policy change's YAML): the 1-based line; `column` is then within it. */
  line?: number;
}

/**
 * RFC 9457 problem details. `type` is `about:blank` (the status says it all) or a
 * `urn:flowsight:problem:<code>` naming what went wrong; `problems` lists bad parameters.
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  problems?: ParamProblem[];
}

const CODE_PREFIX = 'urn:flowsight:problem:';

/** The problem type for a code (`invalid-parameters` -> `urn:flowsight:problem:invalid-parameters`). */
export const problemType = (code: string): string => `${CODE_PREFIX}${code}`;

/** The code a problem type names, or undefined for `about:blank` and foreign types. */
export function problemCode(type: string): string | undefined {
  return type.startsWith(CODE_PREFIX) ? type.slice(CODE_PREFIX.length) : undefined;
}

export interface ProblemOptions {
  /** A short machine-readable reason (`invalid-parameters`, `bad-edge`, `flow-gone`). */
  code?: string;
  instance?: string;
  headers?: HeadersInit;
}

/** Builds the problem body (for a route that shapes its own response, and for tests). */
export function problemDetails(status: number, title: string, detail: string, problems?: ParamProblem[], options: Pick<ProblemOptions, 'code' | 'instance'> = {}): ProblemDetails {
  return {
    type: options.code ? problemType(options.code) : 'about:blank',
    title,
    status,
    detail,
    ...(options.instance ? { instance: options.instance } : {}),
    ...(problems?.length ? { problems } : {}),
  };
}

/** A problem-details response; never cached (it describes this request). */
export function problemResponse(status: number, title: string, detail: string, problems?: ParamProblem[], options: ProblemOptions = {}): Response {
  const headers = new Headers(options.headers);
  headers.set('Content-Type', PROBLEM_CONTENT_TYPE);
  headers.set('Cache-Control', 'no-store');
  return new Response(JSON.stringify(problemDetails(status, title, detail, problems, options)), { status, headers });
}

/** How parameter problems read in a 400's `detail`, one line each. */
export const describeParamProblems = (problems: ParamProblem[]): string => problems.map((p) => `invalid parameter "${p.param}": ${p.message}`).join('\n');

/** The 400 every route gives for bad query parameters: `problems` names each one, `detail` says it in words. */
export function invalidParamsResponse(problems: ParamProblem[], describe: (problems: ParamProblem[]) => string = describeParamProblems): Response {
  return problemResponse(400, 'Invalid request parameters', describe(problems), problems, { code: 'invalid-parameters' });
}

const isParamProblem = (v: unknown): v is ParamProblem =>
  typeof v === 'object' && v !== null && typeof (v as ParamProblem).param === 'string' && typeof (v as ParamProblem).message === 'string';

/** True for a body shaped like problem details (checked field by field: it came over the wire). */
export function isProblemDetails(v: unknown): v is ProblemDetails {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return (
    typeof p.title === 'string' &&
    typeof p.status === 'number' &&
    typeof p.detail === 'string' &&
    (p.type === undefined || typeof p.type === 'string') &&
    (p.problems === undefined || (Array.isArray(p.problems) && p.problems.every(isParamProblem)))
  );
}

/** Longest bit of a non-JSON error body kept in a message (a proxy's HTML page is not one). */
const MAX_TEXT_DETAIL = 200;

/**
 * A failed API call in the browser: the server's problem details when it sent them, otherwise what
 * can be said (the status, a short plain-text body, or that the server could not be reached).
 * `message` is the problem's `detail`, fit to show a person.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly problems: ParamProblem[];
  /** The endpoint asked (without its query string). */
  readonly path: string;

  constructor(problem: ProblemDetails, path: string) {
    super(problem.detail);
    this.name = 'ApiError';
    this.status = problem.status;
    this.title = problem.title;
    this.type = problem.type;
    this.problems = problem.problems ?? [];
    this.path = path;
  }

  /** The problem's code (`invalid-parameters`, ...), when the server gave one. */
  get code(): string | undefined {
    return problemCode(this.type);
  }

  /** Reads a non-2xx response: problem details, an older `{ error }` body, plain text or nothing useful. */
  static async fromResponse(res: Response, path: string): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    const fallback = `${path}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (isProblemDetails(body)) return new ApiError({ ...body, type: body.type ?? 'about:blank', status: res.status }, path);
    const legacy = typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : undefined;
    const isHtml = /^\s*</.test(text) || (res.headers.get('content-type') ?? '').includes('html');
    const plain = body === undefined && !isHtml && text.trim() && text.length <= MAX_TEXT_DETAIL ? `${fallback}: ${text.trim()}` : undefined;
    return new ApiError({ type: 'about:blank', title: res.statusText || `HTTP ${res.status}`, status: res.status, detail: legacy ?? plain ?? fallback }, path);
  }

  /** The request never got an answer (offline, DNS, connection refused): status 0. */
  static network(path: string, cause: unknown): ApiError {
    const why = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
    return new ApiError({ type: problemType('network'), title: 'Network error', status: 0, detail: `${path}: the server could not be reached${why}` }, path);
  }
}
