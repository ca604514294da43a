import { readFileSync } from 'node:fs';

let source: string | undefined;

/**
 * The stand-in's source, read once from beside this module (src/ under tests, dist/emulator/ after
 * the build copied it there); the emulator bundle replaces this module with the text inlined
 * (scripts/build.mjs), so dist/bundle/emulator.cjs needs no file beside it.
 */
export function stripeJsSource(): string {
  return (source ??= readFileSync(new URL('./stripe-v3.js', import.meta.url), 'utf8'));
}
