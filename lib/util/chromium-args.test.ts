/**
 * The Chromium command line: Playwright's own disabled features kept (Chromium honours only the last
 * `--disable-features`), and the toolbar's WebUI renderer gone, checked on Debian's real Chromium.
 */

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, PLAYWRIGHT_DISABLED_FEATURES, TOOLBAR_WEBUI_FEATURES } from './chromium-args';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The `disabledFeatures` list of the installed playwright-core (its chromiumSwitches.ts, bundled). */
function playwrightDisabledFeatures(): string[] {
  const dir = path.dirname(createRequire(import.meta.url).resolve('playwright-core/package.json'));
  const bundle = fs.readFileSync(path.join(dir, 'lib', 'coreBundle.js'), 'utf8');
  const start = bundle.indexOf('disabledFeatures = [');
  const end = bundle.indexOf('].filter(Boolean)', start);
  if (start < 0 || end < 0) throw new Error('playwright-core no longer has a `disabledFeatures = [...]` list in lib/coreBundle.js: check how it passes --disable-features now');
  const list = bundle.slice(start, end);
  const names: string[] = [];
  for (const line of list.split('\n')) {
    const t = line.trim();
    if (t.startsWith('"') && t.endsWith('",')) names.push(t.slice(1, -2));
    else if (t.startsWith('"') && t.endsWith('"')) names.push(t.slice(1, -1));
  }
  return names;
}

/**
 * Command lines of the processes under `root` (renderers, GPU and utility processes), one string each:
 * Chromium rewrites a child's argv into one space-separated string.
 */
function descendants(root: number): string[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number) => {
    for (let p = parentOf.get(pid), hops = 0; p !== undefined && hops < 16; p = parentOf.get(p), hops++) if (p === root) return true;
    return false;
  };
  const out: string[] = [];
  for (const pid of parentOf.keys()) {
    if (!under(pid)) continue;
    try {
      out.push(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Chromium started with `args`, a page open: whether a toolbar WebUI renderer came up within three
 * seconds (it does within one), and the features its page's renderer runs with disabled (the browser
 * hands every renderer the list it applies).
 */
async function startWith(args: string[]): Promise<{ toolbarRenderer: boolean; disabledFeatures: string[] }> {
  const server = await chromium.launchServer({ executablePath: CHROMIUM, args });
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    const page = await browser.newPage();
    await page.setContent('<p>a page</p>');
    const root = server.process().pid;
    if (root === undefined) throw new Error('chromium has no process id');
    let children: string[] = [];
    for (let waited = 0; waited <= 3000; waited += 250) {
      children = descendants(root);
      if (children.some((cmd) => cmd.includes(' --top-chrome-webui'))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const renderer = children.find((cmd) => cmd.includes(' --type=renderer') && !cmd.includes(' --top-chrome-webui')) ?? '';
    const disabled = renderer.split(' ').find((a) => a.startsWith('--disable-features='));
    return { toolbarRenderer: children.some((cmd) => cmd.includes(' --top-chrome-webui')), disabledFeatures: disabled ? disabled.slice('--disable-features='.length).split(',') : [] };
  } finally {
    await server.close();
  }
}

describe('CHROMIUM_ARGS', () => {
  it('passes one --disable-features, holding every feature Playwright disables itself', () => {
    const switches = CHROMIUM_ARGS.filter((a) => a.startsWith('--disable-features='));
    expect(switches).toHaveLength(1);
    const ours = new Set(switches[0].slice('--disable-features='.length).split(','));
    const playwright = playwrightDisabledFeatures();
    // The list was found and read (an empty one would pass the check below for nothing).
    expect(playwright).toContain('PaintHolding');
    expect(playwright.filter((f) => !ours.has(f))).toEqual([]);
    expect([...PLAYWRIGHT_DISABLED_FEATURES, ...TOOLBAR_WEBUI_FEATURES].every((f) => ours.has(f))).toBe(true);
  });

  it.skipIf(!fs.existsSync(CHROMIUM))('starts Chromium without the toolbar WebUI renderer it otherwise loads, Playwright\'s switches still applied', async () => {
    const ours = await startWith([...CHROMIUM_ARGS]);
    expect(ours.toolbarRenderer).toBe(false);
    expect(ours.disabledFeatures).toEqual(expect.arrayContaining([...PLAYWRIGHT_DISABLED_FEATURES, ...TOOLBAR_WEBUI_FEATURES]));
    // Without our list: Playwright's alone applies, and the toolbar's renderer comes up.
    const playwrights = await startWith(CHROMIUM_ARGS.filter((a) => !a.startsWith('--disable-features=')));
    expect(playwrights.toolbarRenderer).toBe(true);
    expect(playwrights.disabledFeatures).toContain('PaintHolding');
    expect(playwrights.disabledFeatures).not.toContain('WebUIOmniboxPopup');
  }, 60_000);
});
