import fs from 'node:fs';
import { expect, it } from 'vitest';
import { FLOWSIGHT_VERSION } from './version';

it('is the version package.json gives (manifests and the observer API state it)', () => {
  expect(FLOWSIGHT_VERSION).toBe((JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }).version);
});
