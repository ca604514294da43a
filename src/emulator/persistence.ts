import type { EmulatorCore } from './core.js';
import { writeStateFile } from './state-file.js';

/** Debounce for saves: state changes come in bursts, and each save writes the whole file. */
const SAVE_DELAY_MS = 1000;

/** Saves the core's state to --state after changes (debounced, one save at a time) and on close. */
export class Persistence {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> | undefined;
  private dirty = false;
  private lastError: Error | undefined;

  constructor(
    private readonly core: EmulatorCore,
    private readonly file: string,
  ) {
    core.onDirty(() => this.schedule());
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer || this.saving) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  private async save(): Promise<void> {
    if (this.saving) return this.saving;
    this.dirty = false;
    this.saving = writeStateFile(this.file, this.core.snapshotState())
      .catch((err: Error) => {
        this.lastError = err;
        this.core.options.log(`emulator: could not save state to ${this.file}: ${err.message}`);
      })
      .finally(() => {
        this.saving = undefined;
        if (this.dirty) this.schedule();
      });
    return this.saving;
  }

  /** Final save; rejects if it fails, so `close()` reports lost state. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.saving) await this.saving;
    this.lastError = undefined;
    await this.save();
    if (this.lastError) throw this.lastError;
  }
}
