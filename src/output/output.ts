import { Chalk, type ChalkInstance } from 'chalk';
import { redact } from '../stripe/redact.js';

/** Where a command's text goes. Data goes to stdout; progress, logs and spinners to stderr. */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface OutputOptions {
  stdout?: Sink;
  stderr?: Sink;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

/**
 * The only place that knows chalk and ora. Everything written passes through `redact`, so a
 * Stripe key can never reach the terminal or a log, whatever a command or the SDK puts in a message.
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  /** Colours and spinners: only on a TTY, never with --json, NO_COLOR, --no-color or CI. */
  readonly interactive: boolean;
  readonly chalk: ChalkInstance;
  readonly stdoutSink: Sink;
  readonly stderrSink: Sink;

  constructor(options: OutputOptions = {}) {
    const env = options.env ?? process.env;
    this.stdoutSink = options.stdout ?? process.stdout;
    this.stderrSink = options.stderr ?? process.stderr;
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    const tty = Boolean(this.stderrSink.isTTY);
    this.interactive = tty && !this.json && !env.CI && !('NO_COLOR' in env) && options.color !== false;
    const colorOnStdout = Boolean(this.stdoutSink.isTTY) && !this.json && !env.CI && !('NO_COLOR' in env) && options.color !== false;
    this.chalk = new Chalk({ level: colorOnStdout ? 1 : 0 });
  }

  /** A line of data on stdout (suppressed with --json: use `data` for the JSON document). */
  line(text = ''): void {
    if (this.json) return;
    this.stdoutSink.write(redact(text) + '\n');
  }

  /** The one JSON document (or one NDJSON line) a command prints with --json. */
  data(value: unknown, options: { ndjson?: boolean } = {}): void {
    const text = options.ndjson ? JSON.stringify(value) : JSON.stringify(value, null, 2);
    this.stdoutSink.write(redact(text) + '\n');
  }

  /** Narration and progress on stderr; hidden with --quiet. */
  info(text: string): void {
    if (this.quiet) return;
    this.stderrSink.write(redact(text) + '\n');
  }

  warn(text: string): void {
    this.stderrSink.write(redact(`${this.chalk.yellow('warning:')} ${text}`) + '\n');
  }

  /** The user's Ctrl-C, said as such (not as an error), even with --quiet. */
  cancelled(text: string): void {
    this.stderrSink.write(redact(`${this.chalk.yellow('cancelled:')} ${text}`) + '\n');
  }

  error(text: string): void {
    this.stderrSink.write(redact(`${this.chalk.red('error:')} ${text}`) + '\n');
  }

  debug(text: string): void {
    if (!this.verbose) return;
    this.stderrSink.write(redact(this.chalk.dim(text)) + '\n');
  }

  /** Spinners still turning: their timers would keep the process alive after an error. */
  private readonly spinning = new Set<{ isSpinning: boolean; stop(): unknown }>();

  /**
   * Stops every spinner a command left turning (it threw while one spun), so that the error is
   * printed on a clean line and the process can end. The entry point calls it once, whatever happened.
   */
  stopSpinners(): void {
    for (const spinner of this.spinning) if (spinner.isSpinning) spinner.stop();
    this.spinning.clear();
  }

  /** An ora spinner on an interactive terminal; otherwise plain lines on stderr (or nothing with --quiet). */
  async spinner(text: string): Promise<Spinner> {
    if (!this.interactive || this.quiet) {
      const quiet = this.quiet || this.json;
      const say = (t?: string) => { if (t && !quiet) this.stderrSink.write(redact(t) + '\n'); };
      return { update: () => {}, succeed: say, fail: (t) => say(t), stop: () => {} };
    }
    const { default: ora } = await import('ora');
    // discardStdin off: ora's discarder sets the terminal raw (no Ctrl-C from the terminal driver)
    // and, on a stdin never read before, never resumes it, so Ctrl-C was swallowed. Cooked, the
    // terminal sends SIGINT as usual.
    const spinner = ora({ text: redact(text), stream: sized(this.stderrSink) as NodeJS.WritableStream, discardStdin: false }).start();
    this.spinning.add(spinner);
    return {
      update: (t) => { spinner.text = redact(t); },
      succeed: (t) => { spinner.succeed(t === undefined ? undefined : redact(t)); },
      fail: (t) => { spinner.fail(t === undefined ? undefined : redact(t)); },
      stop: () => { spinner.stop(); },
    };
  }
}

/** Columns to draw in: a terminal of unknown size reports 0 (`script` in a pipeline, a serial console). */
export function usableColumns(columns: number | undefined): number {
  return columns !== undefined && Number.isFinite(columns) && columns >= 1 ? columns : 80;
}

/**
 * The stream as ora sees it, with a usable width: ora divides by `columns` to count the lines it
 * must clear, and 0 columns made that count infinite (a spinner writing forever, issue 19).
 */
function sized(sink: Sink): Sink {
  return new Proxy(sink, {
    get(target, key) {
      if (key === 'columns') return usableColumns(target.columns);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Collects what a command writes, for in-process tests. */
export class MemorySink implements Sink {
  chunks: string[] = [];
  isTTY = false;
  write(text: string): boolean {
    this.chunks.push(text);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}
