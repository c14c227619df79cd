/**
 * gRPC's message framing on receive (a 1-byte compression flag, a 4-byte big-endian length, the
 * message), as grpc-js's StreamDecoder does it, with one difference: a message's bytes are copied
 * into a buffer of the length its header declares as they arrive. grpc-js keeps every received
 * chunk until the message is complete and then concatenates them, so a large reply is held twice
 * at once: a Containers.List of 1000 containers is one ~7 MB message, and that doubling was the
 * largest part of `ps -a`'s peak memory (docs/startup.md). Copying as they arrive costs the same
 * single copy the concatenation made, and a received chunk is garbage as soon as it is read.
 *
 * installFraming() replaces StreamDecoder.prototype.write, which grpc-js calls for every DATA
 * chunk of every call; test/unit/containerd/framing.test.ts checks it against grpc-js's own on
 * every split of several messages, so a grpc-js upgrade that changes the class fails there.
 */
import { StreamDecoder } from '@grpc/grpc-js/build/src/stream-decoder.js';

/** The fields this decoder keeps on a StreamDecoder instance (its own, beside grpc-js's). */
interface Framing {
  maxReadMessageLength: number;
  /** The 5-byte prefix being read, then the whole framed message being filled. */
  berthHead?: Buffer;
  berthHeadFilled?: number;
  berthMessage?: Buffer;
  berthFilled?: number;
}

const PREFIX = 5;

/** StreamDecoder.prototype.write: complete framed messages (prefix included) found so far. */
export function framedWrite(this: object, data: Buffer): Buffer[] {
  const self = this as Framing;
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const message = self.berthMessage;
    if (message) {
      const filled = self.berthFilled ?? 0;
      const n = Math.min(data.length - at, message.length - filled);
      data.copy(message, filled, at, at + n);
      at += n;
      if (filled + n === message.length) {
        out.push(message);
        self.berthMessage = undefined;
      } else {
        self.berthFilled = filled + n;
      }
      continue;
    }
    const head = (self.berthHead ??= Buffer.alloc(PREFIX));
    const headFilled = self.berthHeadFilled ?? 0;
    const n = Math.min(data.length - at, PREFIX - headFilled);
    data.copy(head, headFilled, at, at + n);
    at += n;
    if (headFilled + n < PREFIX) {
      self.berthHeadFilled = headFilled + n;
      continue;
    }
    self.berthHeadFilled = 0;
    const size = head.readUInt32BE(1);
    if (self.maxReadMessageLength !== -1 && size > self.maxReadMessageLength) {
      // grpc-js's words: its caller turns them into RESOURCE_EXHAUSTED.
      throw new Error(`Received message larger than max (${size} vs ${self.maxReadMessageLength})`);
    }
    const framed = Buffer.allocUnsafe(PREFIX + size);
    head.copy(framed, 0);
    if (size === 0) {
      out.push(framed);
    } else {
      self.berthMessage = framed;
      self.berthFilled = PREFIX;
    }
  }
  return out;
}

let installed = false;

/** Makes every grpc-js call of this process receive its messages with framedWrite. */
export function installFraming(): void {
  if (installed) return;
  installed = true;
  (StreamDecoder.prototype as unknown as { write: typeof framedWrite }).write = framedWrite;
}
