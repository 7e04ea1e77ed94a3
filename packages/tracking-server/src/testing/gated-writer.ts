// A writer whose commits wait at a gate the test opens: a request is held where it is being
// stored for as long as the test needs, so what happens meanwhile is decided by the test, not by
// how fast the machine is.
import type { EventWriter } from '../store/writer';

export interface Gate {
  /** Resolves once a commit waits at the gate. */
  readonly reached: Promise<void>;
  /** Lets every commit waiting, and every later one, through. */
  open(): void;
}

export interface GatedWriter {
  readonly writer: EventWriter;
  /** A closed gate for the commits from now on (Sentry events and OTLP spans alike). */
  close(): Gate;
}

/** `inner`, its event and trace commits waiting at a gate while one is closed (open at first). */
export function gatedWriter(inner: EventWriter): GatedWriter {
  let pass: () => Promise<void> = async () => {};
  const writer: EventWriter = {
    ...inner,
    write: async (sent) => {
      await pass();
      return inner.write(sent);
    },
    writeTraces: async (projectId, operations, memory) => {
      await pass();
      return inner.writeTraces(projectId, operations, memory);
    },
  };
  return {
    writer,
    close() {
      let open!: () => void;
      let reach!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      const reached = new Promise<void>((r) => (reach = r));
      pass = () => {
        reach();
        return opened;
      };
      return { reached, open };
    },
  };
}
