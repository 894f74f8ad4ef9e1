/**
 * Chooses the Azure source from the environment: a directory of az exports when FLOWSIGHT_AZURE_DIR
 * is set, ARM when FLOWSIGHT_AZURE_SUBSCRIPTION is set, the demo otherwise (like the relay: unset
 * means demo). Bad values are reported here, once, with what to set.
 */

import { ArmAzureSource } from './arm-source';
import { demoAzureSource } from './demo';
import { FilesAzureSource } from './files-source';
import type { AzureSource } from './types';

export class AzureConfigError extends Error {
  readonly code = 'invalid-config';
  constructor(message: string) {
    super(message);
    this.name = 'AzureConfigError';
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The live ARM source's settings (FLOWSIGHT_AZURE_SUBSCRIPTION and what goes with it). */
export interface ArmSettings {
  subscriptionId: string;
  resourceGroups: string[];
  endpoint?: string;
}

/** Which Azure source to build: az exports in `dir`, live ARM, or (both null) the demo. */
export interface AzureSettings {
  dir: string | null;
  arm: ArmSettings | null;
}

/** Reads and checks the Azure variables; throws AzureConfigError naming the variable to fix. */
export function azureSettingsFromEnv(env: Record<string, string | undefined> = process.env): AzureSettings {
  const dir = env.FLOWSIGHT_AZURE_DIR?.trim() || null;
  const subscription = env.FLOWSIGHT_AZURE_SUBSCRIPTION?.trim();
  if (dir && subscription) {
    throw new AzureConfigError('set either FLOWSIGHT_AZURE_DIR (az exports) or FLOWSIGHT_AZURE_SUBSCRIPTION (live ARM), not both');
  }
  // Settings of the ARM source alone would otherwise be ignored without a word.
  for (const v of ['FLOWSIGHT_AZURE_RESOURCE_GROUPS', 'FLOWSIGHT_AZURE_ENDPOINT'] as const) {
    if (!subscription && env[v]?.trim()) {
      throw new AzureConfigError(`${v} is set but FLOWSIGHT_AZURE_SUBSCRIPTION is not: it applies to the live ARM source only (set the subscription, or unset ${v})`);
    }
  }
  if (!subscription) return { dir, arm: null };
  if (!GUID.test(subscription)) throw new AzureConfigError(`FLOWSIGHT_AZURE_SUBSCRIPTION must be a subscription id (a GUID), got "${subscription}"`);
  const resourceGroups = (env.FLOWSIGHT_AZURE_RESOURCE_GROUPS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const endpoint = env.FLOWSIGHT_AZURE_ENDPOINT?.trim() || undefined;
  if (endpoint && !endpoint.startsWith('https://')) throw new AzureConfigError(`FLOWSIGHT_AZURE_ENDPOINT must be an https:// URL, got "${endpoint}"`);
  return { dir: null, arm: { subscriptionId: subscription, resourceGroups, ...(endpoint ? { endpoint } : {}) } };
}

/** The source the settings name: the az exports directory, ARM, or the demo. */
export function azureSourceFromSettings(settings: AzureSettings): AzureSource {
  if (settings.dir) return new FilesAzureSource(settings.dir);
  if (settings.arm) return new ArmAzureSource(settings.arm);
  return demoAzureSource();
}

/** The source the environment names (the CLI's entry; the server builds it from its Config). */
export function azureSourceFromEnv(env: Record<string, string | undefined> = process.env): AzureSource {
  return azureSourceFromSettings(azureSettingsFromEnv(env));
}
