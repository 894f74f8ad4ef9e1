import { afterEach, describe, expect, it, vi } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import { azureSourceFromEnv } from '../azure/source-from-env';
import type { AzureSource } from '../azure/types';
import { getAzure } from './global-azure';

vi.mock('../azure/source-from-env', () => ({ azureSourceFromEnv: vi.fn() }));

const KEY = Symbol.for('flowsight.azure');

describe('getAzure', () => {
  afterEach(() => {
    delete (globalThis as { [KEY]?: unknown })[KEY];
    vi.mocked(azureSourceFromEnv).mockReset();
  });

  it('does not keep a failed first load: the next call loads again', async () => {
    const load = vi.fn<AzureSource['load']>().mockRejectedValueOnce(new Error('ARM unreachable')).mockResolvedValue(demoAzureSnapshot());
    vi.mocked(azureSourceFromEnv).mockReturnValue({ kind: 'demo', load } as AzureSource);
    await expect(getAzure()).rejects.toThrow('ARM unreachable');
    const azure = await getAzure();
    expect(azure.snapshot().source).toBe('demo');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
