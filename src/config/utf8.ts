/**
 * Reading a file as UTF-8 replaces invalid bytes with U+FFFD without a word, so a mis-encoded name
 * would reach Stripe garbled. This decodes strictly and says where the first invalid byte is.
 */
import type { Position } from './yaml-source.js';

export function decodeUtf8(bytes: Uint8Array): { text: string } | { invalidAt: Position } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(buffer)) return { text };
  // Up to the first replacement character that the bytes did not really contain, text and bytes agree.
  let offset = 0;
  let line = 1;
  let col = 1;
  for (const ch of text) {
    if (ch === '\uFFFD' && !(buffer[offset] === 0xef && buffer[offset + 1] === 0xbf && buffer[offset + 2] === 0xbd)) break;
    offset += Buffer.byteLength(ch);
    if (ch === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { invalidAt: { line, col } };
}
