/**
 * Run by arm-source.test.ts in a child process, because Node reads NODE_EXTRA_CA_CERTS only at
 * start-up: loads the ARM source against FLOWSIGHT_AZURE_ENDPOINT with a static token and prints the
 * snapshot as JSON. No test hook reaches the SDK: TLS trust comes from the environment, as in production.
 */

import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ArmAzureSource } from '../arm-source';

const token = process.env.FAKE_ARM_TOKEN ?? '';
const staticCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const source = new ArmAzureSource({
  subscriptionId: process.env.FLOWSIGHT_AZURE_SUBSCRIPTION ?? '',
  resourceGroups: (process.env.FLOWSIGHT_AZURE_RESOURCE_GROUPS ?? '').split(',').filter(Boolean),
  endpoint: process.env.FLOWSIGHT_AZURE_ENDPOINT,
  credential: staticCredential,
  clientOptions: { retryOptions: { maxRetries: 2 } },
});

source.load().then(
  (snapshot) => process.stdout.write(JSON.stringify(snapshot)),
  (err) => {
    process.stderr.write(String(err?.stack ?? err));
    process.exitCode = 1;
  },
);
