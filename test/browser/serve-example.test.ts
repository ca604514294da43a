// `alpaca-billing serve-example` as a user runs it (the built binary): the page it serves takes a
// card in Chromium, and the command reports the webhook its site verified.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { launchChromium } from '../helpers/browser.js';
import { run } from '../helpers/cli.js';
import { recordEnv } from '../helpers/shapes/record-env.js';

const bin = resolve(import.meta.dirname, '../../bin/alpaca-billing.cjs');

test('serve-example: a card typed on its page activates the subscription, and the verified webhook is reported', async () => {
  const child = spawn(process.execPath, [bin, 'serve-example', '--port', '0', '--json'], { env: { PATH: process.env.PATH, CI: 'true', ...recordEnv() } });
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string) ?? 'null');
  const browser = await launchChromium();
  try {
    const ready = await next();
    expect(ready).toMatchObject({ ok: true, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), emulator: expect.stringMatching(/^http:/) });
    const page = await browser.newPage();
    await page.goto(ready.url);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.getByLabel('Card number').fill('4242424242424242');
    await page.getByLabel('Expiry (MM / YY)').fill('12/34');
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('status').filter({ hasText: 'Your subscription is active.' }).waitFor();
    const reported: Array<{ webhook: string; verified: boolean; status: string | null }> = [];
    while (!reported.some((r) => r.webhook === 'customer.subscription.updated')) reported.push(await next());
    expect(reported.find((r) => r.webhook === 'customer.subscription.updated')).toMatchObject({ verified: true, status: 'active' });
  } finally {
    await browser.close();
    child.kill('SIGINT');
  }
  expect(await exit).toBe(0);
});

test('serve-example on a port in use: exit 3 naming the port and the flag, nothing on stdout', async () => {
  const busy = createServer();
  await new Promise<void>((res) => busy.listen(0, '127.0.0.1', () => res()));
  const port = (busy.address() as AddressInfo).port;
  try {
    const result = await run(['serve-example', '--port', String(port)]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain('--port 0');
    expect(result.stdout).toBe('');
  } finally {
    busy.close();
  }
});
