// A zstd decoding thread (see zstd-worker.ts): decodes the bodies the main thread sends it with
// createZstdDecoder, within the same bounds and time budget as ever, and sends their output back
// as it is made. Between two blocks it returns to its event loop, so that the other bodies it
// holds, the main thread's pings and the reader's credit are heard; a body's output waits while
// UNREAD_MAX of it is unread on the main thread.
import { parentPort } from 'node:worker_threads';
import {
  createZstdDecoder,
  type ZstdBounds,
  type ZstdDecoder,
  ZstdLimitError,
  ZstdStarvedError,
} from './zstd';
import {
  type FromZstdThread,
  SEND_AT,
  type ToZstdThread,
  UNREAD_MAX,
} from './zstd-worker-protocol';

interface Body {
  readonly decoder: ZstdDecoder;
  /** Output sent and not yet read on the main thread. */
  unread: number;
  dropped: boolean;
  /** Wakes the body's decoding, waiting for credit. */
  wake?: () => void;
  /** Its chunks, decoded one after another. */
  work: Promise<void>;
}

/** Back to the event loop, where messages are heard. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function serveZstd(
  main: {
    on(event: 'message', listener: (m: ToZstdThread) => void): unknown;
    postMessage(m: FromZstdThread, transfer?: ArrayBuffer[]): void;
  },
  /** The decoders' CPU clock (the thread's own unless given: tests give theirs). */
  cpuClock?: ZstdBounds['cpuClock'],
): void {
  const bodies = new Map<number, Body>();

  const send = (id: number, body: Body, parts: Uint8Array[], bytes: number) => {
    if (bytes === 0) return;
    parts = parts.filter((p) => p.length > 0);
    const only = parts.length === 1 ? parts[0]! : undefined;
    // fzstd makes each block a buffer of its own: moved, not copied, when it is one.
    let data: Uint8Array;
    if (only && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) data = only;
    else {
      data = new Uint8Array(bytes);
      let at = 0;
      for (const p of parts) data.set(p, (at += p.length) - p.length);
    }
    body.unread += bytes;
    main.postMessage({ t: 'data', id, data }, [data.buffer as ArrayBuffer]);
  };

  /** Runs `steps` (the blocks of a chunk, or the body's end), sending what they make. */
  const run = async (
    id: number,
    body: Body,
    steps: () => Iterable<Uint8Array[]>,
    answer: 'done' | 'ended',
  ) => {
    if (body.dropped) return;
    let parts: Uint8Array[] = [];
    let bytes = 0;
    try {
      for (const made of steps()) {
        for (const b of made) {
          parts.push(b);
          bytes += b.length;
        }
        if (bytes >= SEND_AT) {
          send(id, body, parts, bytes);
          parts = [];
          bytes = 0;
        }
        await turn();
        while (!body.dropped && body.unread >= UNREAD_MAX)
          await new Promise<void>((resolve) => (body.wake = resolve));
        if (body.dropped) return;
      }
      send(id, body, parts, bytes);
      main.postMessage({ t: answer, id });
      if (answer === 'ended') bodies.delete(id);
    } catch (err) {
      bodies.delete(id);
      body.dropped = true;
      main.postMessage({
        t: 'error',
        id,
        message: err instanceof Error ? err.message : String(err),
        ...(err instanceof ZstdLimitError ? { limit: err.limit } : {}),
        ...(err instanceof ZstdStarvedError ? { starved: true as const } : {}),
      });
    }
  };

  main.on('message', (m) => {
    if (m.t === 'ping') return main.postMessage({ t: 'pong' });
    if (m.t === 'start') {
      bodies.set(m.id, {
        decoder: createZstdDecoder({
          maxOutput: m.maxOutput,
          ...(m.budget ? { budget: m.budget } : {}),
          ...(cpuClock ? { cpuClock } : {}),
        }),
        unread: 0,
        dropped: false,
        work: Promise.resolve(),
      });
      return;
    }
    const body = bodies.get(m.id);
    if (!body) return; // refused already, or dropped
    switch (m.t) {
      case 'chunk':
        body.work = body.work.then(() => run(m.id, body, () => body.decoder.write(m.data), 'done'));
        return;
      case 'end':
        body.work = body.work.then(() => run(m.id, body, () => [body.decoder.end()], 'ended'));
        return;
      case 'credit':
        body.unread -= m.bytes;
        break;
      case 'drop':
        body.dropped = true;
        bodies.delete(m.id);
        break;
    }
    body.wake?.();
    body.wake = undefined;
  });
}

if (parentPort) {
  serveZstd(parentPort);
  parentPort.postMessage({ t: 'pong' } satisfies FromZstdThread); // started
}
