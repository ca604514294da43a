// Headless Chromium (Debian's `chromium`; .ci/run installs it) for the browser tests, and a page
// runner that keeps screenshots of a failing test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = resolve(import.meta.dirname, '../../test-output/browser');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }).catch((err: Error) => {
    throw new Error(`These tests need Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH): ${err.message}`);
  });
}

/** A site of its own origin (port 0) whose every path answers the page `html(path)`, as a shop's pages would load Stripe.js. */
export async function servePages(html: (path: string) => string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(html(req.url ?? '/'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export type Shot = (label: string) => Promise<void>;

/**
 * Runs `body` on a new page; on failure writes the screenshots it took (and one of the page as it
 * is at the failure) under test-output/browser/<name>/ and names the folder in the error.
 */
export async function onPage(browser: Browser, name: string, body: (page: Page, shot: Shot) => Promise<void>): Promise<void> {
  const page = await browser.newPage();
  // Under jest's 30 s test timeout, so a wait that never ends fails here, with its screenshots.
  page.setDefaultTimeout(10_000);
  const shots: Array<[string, Buffer]> = [];
  const shot = async (label: string) => void shots.push([label, await page.screenshot({ fullPage: true })]);
  try {
    await body(page, shot);
  } catch (err) {
    const dir = join(OUTPUT, name.replace(/[^\w-]+/g, '-'));
    mkdirSync(dir, { recursive: true });
    await shot('at-failure').catch(() => undefined);
    shots.forEach(([label, png], i) => writeFileSync(join(dir, `${i + 1}-${label}.png`), png));
    (err as Error).message += `\n(screenshots in ${dir})`;
    throw err;
  } finally {
    await page.close();
  }
}
