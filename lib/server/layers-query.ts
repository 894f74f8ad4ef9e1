/**
 * The /api/layers request parser now lives in the API contract (lib/api/layers-request.ts); this
 * re-export keeps the route working until it imports lib/api directly (then delete this file).
 */

export { parseLayersQuery, type LayersQuery } from '../api/layers-request';
