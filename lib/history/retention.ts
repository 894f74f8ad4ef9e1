/**
 * How long and how much history is kept. Age: the tables' TTL, and whole hour partitions past it
 * dropped here (TTL alone acts only when ClickHouse next merges). Size: when the store passes its cap,
 * allowed flows of the oldest hours are deleted first (their counts stay in edge_minutes); only when
 * nothing but DROPPED/AUDIT/ERROR flows is left are the oldest hours dropped whole. Roll-up: allowed
 * flows older than N minutes are deleted from `flows` (edge_minutes keeps their counts); denied,
 * audited and errored flows are never rolled up.
 *
 * Partition ids and hours come from the engine's own metadata, never from a user.
 */

import type { HistoryEngine } from './engine';
import { micros, ROLLUP_VERDICTS } from './queries';
import { EDGE_MINUTES_TABLE, FLOWS_TABLE } from './schema';

export interface MaintenanceReport {
  /** Hour partitions dropped whole (age, or size with only kept verdicts left), as epoch ms. */
  droppedPartitions: number[];
  /** Hours whose allowed flows were deleted to meet the size cap. */
  trimmedPartitions: number[];
  /** Allowed flows before this time were rolled up (null: roll-up off or nothing to do). */
  rolledUpBefore: number | null;
}

const HOUR = 3600_000;
const verdictList = ROLLUP_VERDICTS.map((v) => `'${v}'`).join(', ');
const safeId = (id: string): string => {
  if (!/^[0-9a-zA-Z_-]+$/.test(id)) throw new Error(`unexpected partition id ${JSON.stringify(id)}`);
  return id;
};

interface Partition {
  id: string;
  hour: number;
  rows: number;
  allowed: number;
  bytes: number;
}

async function partitions(engine: HistoryEngine): Promise<Partition[]> {
  const rows = await engine.query(
    `SELECT p.pid AS id, p.hour AS hour, p.rows AS rows, p.allowed AS allowed, b.bytes AS bytes FROM
  (SELECT _partition_id AS pid, toUnixTimestamp(min(toStartOfHour(time))) * 1000 AS hour, count() AS rows, countIf(verdict IN (${verdictList})) AS allowed FROM ${FLOWS_TABLE} GROUP BY pid) AS p
  LEFT JOIN (SELECT partition_id AS pid, sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = currentDatabase() AND table = '${FLOWS_TABLE}' GROUP BY pid) AS b
  ON p.pid = b.pid ORDER BY hour`,
    {},
  );
  return rows.map((r) => ({ id: String(r.id), hour: Number(r.hour), rows: Number(r.rows), allowed: Number(r.allowed), bytes: Number(r.bytes ?? 0) }));
}

async function totalBytes(engine: HistoryEngine): Promise<number> {
  const [r] = await engine.query(
    `SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = currentDatabase() AND table IN ('${FLOWS_TABLE}', '${EDGE_MINUTES_TABLE}')`,
    {},
  );
  return Number(r?.bytes ?? 0);
}

/** How long and how much history is kept (FLOWSIGHT_RETENTION_DAYS, _MAX_GB, _ROLLUP_AFTER_MINUTES). */
export interface RetentionPolicy {
  days: number;
  maxBytes: number;
  /** Allowed flows older than this keep only their per-edge-per-minute counts (null: kept in full). */
  rollupAfterMinutes: number | null;
}

/** One pass of age retention, the size cap and roll-up. */
export async function maintain(engine: HistoryEngine, policy: RetentionPolicy, nowMs: number): Promise<MaintenanceReport> {
  const report: MaintenanceReport = { droppedPartitions: [], trimmedPartitions: [], rolledUpBefore: null };
  const ageLimit = nowMs - policy.days * 24 * HOUR;
  let parts = await partitions(engine);

  // Age: hours wholly past the retention.
  for (const p of parts) {
    if (p.hour + HOUR <= ageLimit) {
      await engine.exec(`ALTER TABLE ${FLOWS_TABLE} DROP PARTITION ID '${safeId(p.id)}'`);
      report.droppedPartitions.push(p.hour);
    }
  }
  parts = parts.filter((p) => p.hour + HOUR > ageLimit);

  // Roll-up: allowed flows past N minutes leave `flows`; their counts are in edge_minutes already.
  if (policy.rollupAfterMinutes !== null) {
    const cutoff = nowMs - policy.rollupAfterMinutes * 60_000;
    if (parts.some((p) => p.hour < cutoff && p.allowed > 0)) {
      await engine.exec(`DELETE FROM ${FLOWS_TABLE} WHERE time < fromUnixTimestamp64Micro({h_cutoff:Int64}, 'UTC') AND verdict IN (${verdictList})`, {
        h_cutoff: micros(cutoff),
      });
      report.rolledUpBefore = cutoff;
    }
  }

  // Size: allowed flows of the oldest hours first, then (only kept verdicts left) the oldest hours whole.
  let bytes = await totalBytes(engine);
  if (bytes > policy.maxBytes) {
    parts = await partitions(engine);
    let excess = bytes - policy.maxBytes;
    for (const p of parts) {
      if (excess <= 0) break;
      if (p.allowed === 0 || p.rows === 0) continue;
      await engine.exec(`ALTER TABLE ${FLOWS_TABLE} DELETE IN PARTITION ID '${safeId(p.id)}' WHERE verdict IN (${verdictList}) SETTINGS mutations_sync = 2`);
      report.trimmedPartitions.push(p.hour);
      excess -= (p.bytes * p.allowed) / p.rows;
    }
    bytes = await totalBytes(engine);
    if (bytes > policy.maxBytes) {
      parts = await partitions(engine);
      excess = bytes - policy.maxBytes;
      // The newest hour is never dropped: a cap smaller than one hour of denied flows keeps that hour.
      for (const p of parts.slice(0, -1)) {
        if (excess <= 0) break;
        await engine.exec(`ALTER TABLE ${FLOWS_TABLE} DROP PARTITION ID '${safeId(p.id)}'`);
        report.droppedPartitions.push(p.hour);
        excess -= p.bytes;
      }
    }
  }
  return report;
}

/** The retention days the existing tables were created (or last altered) with, from their DDL. */
async function ttlDays(engine: HistoryEngine): Promise<Map<string, number>> {
  const rows = await engine.query(
    `SELECT name, create_table_query AS ddl FROM system.tables WHERE database = currentDatabase() AND name IN ('${FLOWS_TABLE}', '${EDGE_MINUTES_TABLE}')`,
    {},
  );
  const out = new Map<string, number>();
  for (const r of rows) {
    // ClickHouse keeps the DDL normalized: `INTERVAL 7 DAY` reads back as `toIntervalDay(7)`.
    const m = /TTL .*?(?:toIntervalDay\((\d+)\)|INTERVAL (\d+) DAY)/.exec(String(r.ddl));
    if (m) out.set(String(r.name), Number(m[1] ?? m[2]));
  }
  return out;
}

/** Aligns the tables' TTL with the configured days (a changed FLOWSIGHT_RETENTION_DAYS takes effect at open). */
export async function alignTtl(engine: HistoryEngine, days: number): Promise<boolean> {
  const want = Math.max(1, Math.floor(days));
  const have = await ttlDays(engine);
  let changed = false;
  const ttl: Record<string, string> = {
    [FLOWS_TABLE]: `toDateTime(time) + INTERVAL ${want} DAY DELETE`,
    [EDGE_MINUTES_TABLE]: `minute + INTERVAL ${want} DAY DELETE`,
  };
  for (const [table, expr] of Object.entries(ttl)) {
    if (have.get(table) === want) continue;
    // Not materialized at once (that rewrites every part): maintain() drops the hours past it.
    await engine.exec(`ALTER TABLE ${table} MODIFY TTL ${expr} SETTINGS materialize_ttl_after_modify = 0`);
    changed = true;
  }
  return changed;
}
