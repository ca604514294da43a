/**
 * The README's tutorial, followed as written: its shell blocks, taken from README.md, are typed into
 * one bash session in order (in the clone's root, as the tutorial says), against the emulator it
 * starts. The only changes are the ports (free ones, so parallel test runs do not collide) and the
 * emulator's aggregation delay (0: the session types faster than a person, and the summary should
 * see the usage just sent).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { recordEnv } from '../helpers/shapes/record-env.js';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

/** The ```sh blocks of the tutorial section, de-indented (blocks inside list items are indented). */
export function tutorialBlocks(markdown: string): string[] {
  const start = markdown.indexOf('## Tutorial');
  const section = markdown.slice(start, markdown.indexOf('\n## ', start + 1));
  return [...section.matchAll(/^( *)```sh\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
    body.split('\n').map((line) => line.slice(indent.length)).join('\n'));
}

/**
 * A free port below Linux's ephemeral range (32768-60999): the servers other tests start on port 0
 * get ephemeral ports, so none of them can take this one between this check and the tutorial's use.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((done) => {
      const server = createServer().once('error', () => done(false)).listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (free) return port;
  }
}

/** The bash session of the running test, stopped after it whatever happened (a timeout included). */
let session: { pid?: number; scratch: string } | undefined;
afterEach(() => {
  if (!session) return;
  try {
    process.kill(-session.pid!, 'SIGKILL'); // its process group: bash and whatever the tutorial started
  } catch {
    // already gone
  }
  rmSync(session.scratch, { recursive: true, force: true });
  session = undefined;
});

describe('README tutorial', () => {
  const blocks = tutorialBlocks(readme);

  it('has the setup, the seven steps and the clean-up as shell blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(9);
    expect(blocks[0]).toContain('emulator --port 12111');
    expect(blocks.at(-1)).toMatch(/^kill /);
    // The CLI of this checkout, never `npx` (a rebuild, and npm's start-up on every call).
    expect(blocks.join('\n')).not.toMatch(/\bnpx\b/);
  });

  it('runs as written, step by step, in one bash session', async () => {
    const [emulatorPort, hooksPort] = [await freePort(), await freePort()];
    const scratch = mkdtempSync(resolve(tmpdir(), 'ab-tutorial-'));
    const bash = spawn('bash', ['--norc', '--noprofile'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: scratch, TMPDIR: scratch, LANG: 'C.UTF-8', ...recordEnv() },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // its own process group: whatever the tutorial leaves running is stopped with it
    });
    session = { pid: bash.pid, scratch };
    let stdout = '';
    let stderr = '';
    bash.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    bash.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => bash.on('exit', done));
    let ended = false;
    void exited.then(() => (ended = true));
    /**
     * Resolves when `text` has been printed; fails if bash exits first (a command failed: `set -e`),
     * or if it is not printed within `limitMs` (a step that hangs), with everything printed so far.
     */
    const printed = async (text: string | RegExp, limitMs = 45_000) => {
      const seen = () => (typeof text === 'string' ? stdout.includes(text) : text.test(stdout));
      for (let waited = 0; !seen(); waited += 50) {
        if (ended || waited > limitMs) throw new Error(`${ended ? 'bash exited' : 'nothing more came'} before ${text}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    bash.stdin.write('shopt -s expand_aliases\nset -e -o pipefail\n');
    for (const [i, block] of blocks.entries()) {
      const typed = block
        .replaceAll('12111', String(emulatorPort))
        .replaceAll('4242', String(hooksPort))
        .replace('emulator --port', 'emulator --aggregation-delay 0 --port');
      const done = `--- block ${i} done`;
      bash.stdin.write(`${typed}\necho '${done}'\n`);
      await printed(done);
      if (i === 0) await printed(`ready at http://127.0.0.1:${emulatorPort}`);
      // Webhooks are delivered asynchronously: the receiver prints the event before it is stopped.
      if (block.includes('subscriptions cancel')) await printed(/customer\.subscription\.updated\s+sub_/);
    }
    bash.stdin.end();
    expect(await exited).toBe(0);

    expect(stdout).toContain('valid: 1 meter, 1 product, 1 price');
    expect(stdout).toMatch(/created customer cus_\w+ {2}ada@example\.com {2}\(external id user_42\)/);
    expect(stdout).toMatch(/client secret {2}seti_\w+_secret_/);
    expect(stdout).toMatch(/checkout session cs_test_\w+ for cus_/);
    expect(stdout).toMatch(/sent +3\n/);
    // Step 5: a readable summary of what steps 4 sent (1,234 + 1,500 + 320 + 2,750 tokens), and its price.
    expect(stdout).toMatch(/total +5,804\n/);
    expect(stdout).toMatch(/hours without usage not shown/);
    expect(stdout).toContain('5,804 tokens → 6 × 1,000 tokens × $0.04 = $0.24');
    // Step 6: the signing secret went to the file, never to the screen.
    expect(readFileSync((stdout + stderr).match(/signing secret written to (\S+)/)![1], 'utf8')).toMatch(/^STRIPE_WEBHOOK_SECRET_LOCAL=whsec_/m);
    expect(stdout + stderr).not.toMatch(/whsec_\w{6}/);
    // Step 7: the month closed on the clock; the renewal billed the usage, failed without a card, and was paid with one.
    expect(stdout).toMatch(/open {2}\S+ → \S+ +\$1,615\.12 USD {2}subscription_cycle/);
    expect(stdout).toContain('40,377,931 tokens → 40,378 × 1,000 tokens × $0.04 = $1,615.12');
    expect(stdout).toMatch(/usage agrees with the meter event summaries/);
    expect(stdout).toMatch(/in_\w+ {2}paid /);
    expect(stderr).not.toMatch(/^(error|warning):/m);
  }, 240_000);
});
