/**
 * Which namespaces a signed-in person may read, asked of Kubernetes itself (SubjectAccessReview,
 * authorization.k8s.io/v1) so that Flowsight never re-implements RBAC, webhook or ABAC rules.
 * Answers are cached briefly per principal; an unanswered review denies (fail closed).
 */

import { AuthorizationV1Api, Observable, type KubeConfig, type ObservableMiddleware, type RequestContext, type ResponseContext, type V1SubjectAccessReview } from '@kubernetes/client-node';

export interface Principal {
  user: string;
  groups: readonly string[];
}

/** 'all' = may read every namespace (cluster-wide grant); otherwise the set of readable namespaces. */
export type NamespaceScope = 'all' | ReadonlySet<string>;

export interface AccessReviewer {
  /** May `principal` do the check in `namespace` (null = in every namespace)? Throws when nobody answered. */
  review(principal: Principal, namespace: string | null, signal?: AbortSignal): Promise<boolean>;
}

export interface AccessCheck {
  verb: string;
  resource: string;
  /** API group of the resource; '' is the core group. */
  group?: string;
}

/** Seeing a namespace's flows discloses what its pods do, so it takes the right to list its pods. */
export const DEFAULT_ACCESS_CHECK: Readonly<Required<AccessCheck>> = { verb: 'list', resource: 'pods', group: '' };

/** More groups than this is a sign of a bad or hostile token, not of a real person. */
export const MAX_GROUPS = 200;

/** A review nobody answered: reported, never cached. */
export interface ReviewFailure {
  code: 'timeout' | 'failed';
  message: string;
  user: string;
  /** null = the cluster-wide review. */
  namespace: string | null;
  cause: unknown;
}

export interface NamespaceAccessOptions {
  /** How long an answer is trusted; a revoked RoleBinding takes effect within this. Default 60 s. */
  ttlMs?: number;
  /** Principals remembered; the least recently asked are forgotten first. Default 1000. */
  maxEntries?: number;
  /** Reviews in flight at once, over all callers, to spare the API server. Default 8. */
  concurrency?: number;
  /** A review not answered within this denies (and its request is aborted). Default 5 s. */
  timeoutMs?: number;
  onError?: (failure: ReviewFailure) => void;
  now?: () => number;
}

/** Reviews through the API server with the credentials of `kubeConfig`, which need `create` on subjectaccessreviews. */
export function subjectAccessReviewer(kubeConfig: KubeConfig, check: AccessCheck = DEFAULT_ACCESS_CHECK): AccessReviewer {
  const api = kubeConfig.makeApiClient(AuthorizationV1Api);
  const { verb, resource } = check;
  const group = check.group ?? '';
  return {
    async review(principal, namespace, signal) {
      const body: V1SubjectAccessReview = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          ...(principal.user ? { user: principal.user } : {}),
          groups: [...principal.groups],
          // An absent namespace asks about every namespace at once, which is what null means.
          resourceAttributes: { ...(namespace === null ? {} : { namespace }), verb, resource, group },
        },
      };
      let answer: V1SubjectAccessReview;
      try {
        answer = await api.createSubjectAccessReview({ body }, signal ? withSignal(signal) : undefined);
      } catch (error) {
        throw new Error(`SubjectAccessReview ${where(namespace)} failed: ${describeApiError(error)}`, { cause: error });
      }
      const allowed = answer.status?.allowed;
      if (typeof allowed !== 'boolean') throw new Error(`SubjectAccessReview ${where(namespace)} was answered without status.allowed`);
      // A webhook authorizer can deny outright; `denied` wins over any `allowed` from another authorizer.
      return allowed && answer.status?.denied !== true;
    },
  };
}

/** May a flow endpoint in `namespace` be shown? Endpoints without one (world, host, remote-node) only to 'all'. */
/**
 * `system:` users and groups are Kubernetes' own (`system:masters` is cluster-admin): never taken
 * from an issuer's token or a proxy's header.
 */
export function isReservedName(name: string): boolean {
  return name.toLowerCase().startsWith('system:');
}

export function inScope(scope: NamespaceScope, namespace: string | undefined | null): boolean {
  if (scope === 'all') return true;
  return !!namespace && scope.has(namespace);
}

/** Answers "which of these namespaces may this principal read?", with a short per-principal cache. */
export class NamespaceAccess {
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly timeoutMs: number;
  private readonly onError?: (failure: ReviewFailure) => void;
  private readonly now: () => number;
  private readonly limiter: Limiter;
  /** Map order is recency: a hit moves the principal to the end, eviction takes the front. */
  private readonly principals = new Map<string, PrincipalEntry>();

  constructor(
    private readonly reviewer: AccessReviewer,
    options: NamespaceAccessOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = Math.max(1, options.maxEntries ?? 1000);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.onError = options.onError;
    this.now = options.now ?? Date.now;
    this.limiter = new Limiter(Math.max(1, options.concurrency ?? 8));
  }

  /** 'all' when the cluster-wide review allows; otherwise the namespaces of `namespaces` that each review allows. */
  async scope(principal: Principal, namespaces: Iterable<string>): Promise<NamespaceScope> {
    const subject = normalize(principal);
    // The API server rejects a review without a subject; asking would only log an error per namespace.
    if (!subject.user && subject.groups.length === 0) return new Set();
    const entry = this.entryFor(subject);

    const clusterWide = await this.decide(entry, subject, null);
    if (clusterWide === true) return 'all';
    // The same endpoint answers the namespace reviews: when it just failed, asking once per namespace
    // would multiply the load on an API server in trouble for answers that would deny anyway.
    if (clusterWide === undefined) return new Set();

    const wanted = new Set<string>();
    for (const ns of namespaces) if (isNamespaceName(ns)) wanted.add(ns);
    this.forgetExpired(entry, wanted);
    const names = [...wanted];
    const answers = await Promise.all(names.map((ns) => this.decide(entry, subject, ns)));
    const allowed = new Set<string>();
    answers.forEach((answer, i) => {
      if (answer === true) allowed.add(names[i]);
    });
    return allowed;
  }

  private entryFor(subject: Principal): PrincipalEntry {
    const key = JSON.stringify([subject.user, ...subject.groups]);
    let entry = this.principals.get(key);
    if (entry) {
      this.principals.delete(key);
    } else {
      entry = { clusterWide: undefined, namespaces: new Map() };
    }
    this.principals.set(key, entry);
    while (this.principals.size > this.maxEntries) {
      const oldest = this.principals.keys().next().value as string;
      this.principals.delete(oldest);
    }
    return entry;
  }

  /** Keeps a principal's map to the namespaces still asked about (deleted namespaces do not pile up). */
  private forgetExpired(entry: PrincipalEntry, wanted: ReadonlySet<string>): void {
    const now = this.now();
    for (const [ns, answer] of entry.namespaces) {
      if (!wanted.has(ns) && answer.kind === 'answered' && now - answer.at >= this.ttlMs) entry.namespaces.delete(ns);
    }
  }

  /** true / false as answered (cached or fresh), undefined when the review failed. */
  private decide(entry: PrincipalEntry, subject: Principal, namespace: string | null): boolean | undefined | Promise<boolean | undefined> {
    const current = namespace === null ? entry.clusterWide : entry.namespaces.get(namespace);
    if (current?.kind === 'pending') return current.result;
    if (current?.kind === 'answered' && this.now() - current.at < this.ttlMs) return current.allowed;

    const slot = () => (namespace === null ? entry.clusterWide : entry.namespaces.get(namespace));
    const store = (answer: Answer | undefined) => {
      if (namespace === null) entry.clusterWide = answer;
      else if (answer) entry.namespaces.set(namespace, answer);
      else entry.namespaces.delete(namespace);
    };
    // Settles after `pending` is stored (then-callbacks never run synchronously). Only the review that
    // is still the current one writes its answer: an older one must not overwrite a newer.
    const result: Promise<boolean | undefined> = this.limiter.run(() => this.ask(subject, namespace)).then(
      (allowed) => {
        if (slot() === pending) store({ kind: 'answered', allowed, at: this.now() });
        return allowed;
      },
      (failure: ReviewFailure) => {
        if (slot() === pending) store(undefined);
        this.report(failure);
        return undefined;
      },
    );
    const pending: Answer = { kind: 'pending', result };
    store(pending);
    return result;
  }

  private async ask(subject: Principal, namespace: string | null): Promise<boolean> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // A reviewer that ignores the signal must still not hold a slot (and its callers) forever.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error('timed out'));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([this.reviewer.review(subject, namespace, controller.signal), timedOut]);
    } catch (cause) {
      const timeout = controller.signal.aborted;
      const failure: ReviewFailure = {
        code: timeout ? 'timeout' : 'failed',
        message: timeout
          ? `SubjectAccessReview ${where(namespace)} for ${JSON.stringify(subject.user)} not answered within ${this.timeoutMs} ms; access denied`
          : `${cause instanceof Error ? cause.message : String(cause)}; access denied`,
        user: subject.user,
        namespace,
        cause,
      };
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  private report(failure: ReviewFailure): void {
    try {
      this.onError?.(failure);
    } catch {
      // A broken logger must not turn a denial into a crash of the caller.
    }
  }
}

type Answer = { kind: 'answered'; allowed: boolean; at: number } | { kind: 'pending'; result: Promise<boolean | undefined> };

interface PrincipalEntry {
  clusterWide: Answer | undefined;
  namespaces: Map<string, Answer>;
}

/** Sorted and deduplicated so that the same person with groups in another order shares one cache entry. */
function normalize(principal: Principal): Principal {
  // Capped before sorting: the work stays bounded however long the list a token carries.
  const groups = [...new Set(principal.groups.slice(0, MAX_GROUPS).filter((g) => typeof g === 'string' && g !== ''))].sort();
  return { user: principal.user, groups };
}

/**
 * A Kubernetes namespace name (RFC 1123 label). Anything else cannot exist, so it is denied without a
 * review; above all '', which a SubjectAccessReview reads as "every namespace".
 */
function isNamespaceName(ns: string): boolean {
  if (typeof ns !== 'string' || ns.length === 0 || ns.length > 63) return false;
  for (let i = 0; i < ns.length; i++) {
    const c = ns.charCodeAt(i);
    const alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
    if (!alnum && !(c === 0x2d && i > 0 && i < ns.length - 1)) return false;
  }
  return true;
}

function where(namespace: string | null): string {
  return namespace === null ? 'cluster-wide' : `in namespace ${JSON.stringify(namespace)}`;
}

/** The API's Status message, not the client's dump of headers and body. */
function describeApiError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, body } = error as Error & { code?: unknown; body?: unknown };
  if (typeof code !== 'number') return error.message;
  let status: unknown = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      status = undefined;
    }
  }
  const message = status && typeof status === 'object' && typeof (status as { message?: unknown }).message === 'string' ? (status as { message: string }).message : '';
  return `HTTP ${code}${message ? `: ${message.slice(0, 300)}` : ''}`;
}

/** Per-call client options that abort the request with `signal` (the generated client has no timeout of its own). */
function withSignal(signal: AbortSignal): { middleware: ObservableMiddleware[]; middlewareMergeStrategy: 'append' } {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** At most `size` tasks run at once; the rest wait in arrival order. */
class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next task, so `running` stays counted.
      if (next) next();
      else this.running--;
    }
  }
}
