/**
 * The posture API's request parsers now live in the API contract (lib/api/posture-requests.ts); this
 * re-export keeps the routes and posture-api.ts working until they import lib/api directly (then delete this file).
 */

export { parseCatalogQuery, parseExplainRequest, type ExplainRequest } from '../api/posture-requests';
export type { Parsed } from '../api/request-params';
