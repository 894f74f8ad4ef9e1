/**
 * A small kube-apiserver stand-in for tests: plain HTTP on loopback port 0, serving cluster-wide
 * list and chunked watch (`?watch=true&resourceVersion=N`) with ADDED / MODIFIED / DELETED events and
 * 410 Gone for expired resource versions, so the real @kubernetes/client-node informers run against it.
 * It also answers SubjectAccessReviews from a rule table the test sets (`allowReviews`), can fail them
 * (`failReviews`) or hold their answers (`holdReviews`), and records every review it receives.
 */

import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
type KubeObject = { metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown }; [k: string]: unknown };

interface Collection {
  listKind: string;
  objects: Map<string, KubeObject>;
  history: { rv: number; type: EventType; object: KubeObject }[];
  watchers: Set<http.ServerResponse>;
}

export interface RecordedRequest {
  path: string;
  watch: boolean;
  resourceVersion?: string;
}

/** One grant; every field given must match the review, an absent field matches anything. */
export interface ReviewRule {
  user?: string;
  /** Matches when the review's groups include it. */
  group?: string;
  /** '*' (or absent) is a cluster-wide grant: every namespace and the cluster-wide review itself. */
  namespace?: string;
  verb?: string;
  resource?: string;
  /** API group of the resource ('' is core). */
  apiGroup?: string;
}

/** A SubjectAccessReview as received: the fields of its spec that decide, and the whole body. */
export interface RecordedReview {
  user?: string;
  groups: string[];
  /** Absent for a cluster-wide review. */
  namespace?: string;
  verb?: string;
  resource?: string;
  group?: string;
  body: unknown;
}

const REVIEWS_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
/** Request bodies above this are refused (413), as the real API server caps them too. */
const MAX_REVIEW_BODY_BYTES = 64 * 1024;

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  /** Every SubjectAccessReview received, in order, including those failed or held. */
  readonly reviews: RecordedReview[] = [];
  private reviewRules: ReviewRule[] = [];
  private reviewsFail = false;
  private holdingReviews = false;
  private heldReviews: (() => void)[] = [];
  private readonly collections = new Map<string, Collection>();
  private readonly absent = new Set<string>();
  private rv = 100;
  /** Watches starting at or before this resource version get 410 Gone (etcd compaction). */
  private compactedRv = 0;
  private server: http.Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor() {
    this.server = this.createServer();
  }

  /** Starts on 127.0.0.1 with an OS-chosen port. */
  static async start(): Promise<FakeApiServer> {
    const s = new FakeApiServer();
    await s.listen(0);
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A kubeconfig for this server, as the real client loads one (plain HTTP needs skipTLSVerify). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'tester' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** Declares a collection served at `path` (e.g. /api/v1/pods) with its list kind (PodList). */
  serve(path: string, listKind: string, objects: KubeObject[] = []): void {
    const c: Collection = { listKind, objects: new Map(), history: [], watchers: new Set() };
    for (const o of objects) c.objects.set(keyOf(o), this.stamp(o));
    this.collections.set(path, c);
    this.absent.delete(path);
  }

  /** Makes `path` answer 404, like a CRD that is not installed. */
  markAbsent(path: string): void {
    this.absent.add(path);
    this.collections.delete(path);
  }

  add(path: string, object: KubeObject): void {
    this.emit(path, 'ADDED', object);
  }

  modify(path: string, object: KubeObject): void {
    this.emit(path, 'MODIFIED', object);
  }

  remove(path: string, namespace: string | undefined, name: string): void {
    const c = this.collection(path);
    const existing = c.objects.get(`${namespace ?? ''}/${name}`);
    if (!existing) throw new Error(`no ${namespace}/${name} in ${path}`);
    this.emit(path, 'DELETED', existing);
  }

  /** Changes objects without sending watch events: the events a compaction loses. Only a relist sees them. */
  changeSilently(path: string, change: { upsert?: KubeObject[]; remove?: string[] }): void {
    const c = this.collection(path);
    for (const o of change.upsert ?? []) c.objects.set(keyOf(o), this.stamp(o));
    for (const key of change.remove ?? []) c.objects.delete(key);
  }

  /** Compacts history: every open watch gets an ERROR 410 event and is closed; old versions are gone. */
  expireWatches(): void {
    this.compactedRv = this.rv;
    for (const c of this.collections.values()) {
      for (const res of c.watchers) {
        res.end(`${JSON.stringify({ type: 'ERROR', object: goneStatus() })}\n`);
      }
      c.watchers.clear();
      c.history = [];
    }
  }

  /** Replaces the grants that SubjectAccessReviews are decided by; none means everything is denied. */
  allowReviews(rules: ReviewRule[]): void {
    this.reviewRules = rules.map((r) => ({ ...r }));
  }

  /** While on, every SubjectAccessReview is answered 403 Forbidden (still recorded). */
  failReviews(on = true): void {
    this.reviewsFail = on;
  }

  /** While on, reviews are recorded but their answers wait for `releaseReviews()` (or for holding to end). */
  holdReviews(on = true): void {
    this.holdingReviews = on;
    if (!on) this.releaseReviews();
  }

  /** Sends the answers of the reviews held so far; later ones are still held while holding is on. */
  releaseReviews(): void {
    for (const answer of this.heldReviews.splice(0)) answer();
  }

  /** Simulates losing the API server: stops listening and cuts every connection. */
  async goDown(): Promise<void> {
    for (const c of this.collections.values()) c.watchers.clear();
    this.heldReviews = [];
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  /** Brings the server back on the same port. */
  async comeBack(): Promise<void> {
    this.server = this.createServer();
    await this.listen(this.port);
  }

  async stop(): Promise<void> {
    if (this.server.listening) await this.goDown();
  }

  private createServer(): http.Server {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve) => {
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private collection(path: string): Collection {
    const c = this.collections.get(path);
    if (!c) throw new Error(`collection ${path} not served`);
    return c;
  }

  private stamp(o: KubeObject): KubeObject {
    this.rv++;
    return { ...o, metadata: { ...o.metadata, resourceVersion: String(this.rv) } };
  }

  private emit(path: string, type: EventType, object: KubeObject): void {
    const c = this.collection(path);
    const stamped = this.stamp(object);
    if (type === 'DELETED') c.objects.delete(keyOf(stamped));
    else c.objects.set(keyOf(stamped), stamped);
    c.history.push({ rv: this.rv, type, object: stamped });
    for (const res of c.watchers) res.write(`${JSON.stringify({ type, object: stamped })}\n`);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const watch = url.searchParams.get('watch') === 'true';
    const resourceVersion = url.searchParams.get('resourceVersion') ?? undefined;
    this.requests.push({ path: url.pathname, watch, ...(resourceVersion ? { resourceVersion } : {}) });
    if (url.pathname === REVIEWS_PATH) {
      this.handleReview(req, res);
      return;
    }
    const c = this.collections.get(url.pathname);
    if (!c || this.absent.has(url.pathname)) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' }));
      return;
    }
    if (!watch) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: c.listKind, apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items: [...c.objects.values()] }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const from = Number(resourceVersion ?? '0');
    if (from < this.compactedRv) {
      // kube-apiserver answers a watch from a compacted version with 200 and an ERROR event, then closes.
      res.end(`${JSON.stringify({ type: 'ERROR', object: goneStatus() })}\n`);
      return;
    }
    for (const e of c.history) if (e.rv > from) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    res.flushHeaders();
    c.watchers.add(res);
    req.on('close', () => c.watchers.delete(res));
  }

  private handleReview(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'POST') {
      sendStatus(res, 405, 'MethodNotAllowed', `${req.method} is not supported on subjectaccessreviews`);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_REVIEW_BODY_BYTES) {
        refused = true;
        chunks.length = 0;
        sendStatus(res, 413, 'RequestEntityTooLarge', 'request body too large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      let review: { spec?: { user?: unknown; groups?: unknown; resourceAttributes?: Record<string, unknown> } };
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        sendStatus(res, 400, 'BadRequest', 'body is not JSON');
        return;
      }
      const spec = review?.spec ?? {};
      const attrs = spec.resourceAttributes ?? {};
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const recorded: RecordedReview = {
        user: str(spec.user),
        groups: Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [],
        namespace: str(attrs.namespace),
        verb: str(attrs.verb),
        resource: str(attrs.resource),
        group: str(attrs.group),
        body: review,
      };
      this.reviews.push(recorded);
      if (this.reviewsFail) {
        sendStatus(res, 403, 'Forbidden', 'subjectaccessreviews.authorization.k8s.io is forbidden: User "system:serviceaccount:flowsight:flowsight" cannot create resource "subjectaccessreviews"');
        return;
      }
      if (!recorded.user && recorded.groups.length === 0) {
        sendStatus(res, 422, 'Invalid', 'SubjectAccessReview is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
        return;
      }
      const rule = this.reviewRules.findIndex((r) => reviewMatches(r, recorded));
      const answer = () => {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'SubjectAccessReview',
            apiVersion: 'authorization.k8s.io/v1',
            metadata: { creationTimestamp: null },
            spec,
            status: { allowed: rule >= 0, reason: rule >= 0 ? `allowed by fake rule ${rule}` : '' },
          }),
        );
      };
      if (this.holdingReviews) this.heldReviews.push(answer);
      else answer();
    });
  }
}

function reviewMatches(rule: ReviewRule, review: RecordedReview): boolean {
  if (rule.user !== undefined && rule.user !== review.user) return false;
  if (rule.group !== undefined && !review.groups.includes(rule.group)) return false;
  // A namespaced grant (RoleBinding) says nothing about the cluster-wide question, only a '*' one does.
  if (rule.namespace !== undefined && rule.namespace !== '*' && rule.namespace !== review.namespace) return false;
  if (rule.verb !== undefined && rule.verb !== review.verb) return false;
  if (rule.resource !== undefined && rule.resource !== review.resource) return false;
  if (rule.apiGroup !== undefined && rule.apiGroup !== (review.group ?? '')) return false;
  return true;
}

function sendStatus(res: http.ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json', ...(code === 413 ? { Connection: 'close' } : {}) });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, code, message }));
}

function goneStatus() {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' };
}
