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

export function azureSourceFromEnv(env: Record<string, string | undefined> = process.env): AzureSource {
  const dir = env.FLOWSIGHT_AZURE_DIR?.trim();
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
  if (dir) return new FilesAzureSource(dir);
  if (subscription) {
    if (!GUID.test(subscription)) throw new AzureConfigError(`FLOWSIGHT_AZURE_SUBSCRIPTION must be a subscription id (a GUID), got "${subscription}"`);
    const resourceGroups = (env.FLOWSIGHT_AZURE_RESOURCE_GROUPS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const endpoint = env.FLOWSIGHT_AZURE_ENDPOINT?.trim() || undefined;
    if (endpoint && !endpoint.startsWith('https://')) throw new AzureConfigError(`FLOWSIGHT_AZURE_ENDPOINT must be an https:// URL, got "${endpoint}"`);
    return new ArmAzureSource({ subscriptionId: subscription, resourceGroups, endpoint });
  }
  return demoAzureSource();
}
