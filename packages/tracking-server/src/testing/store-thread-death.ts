// For the tests of a store thread's death: waits until `thread` says it has failed.
// A deadline in time: on a busy machine a thread can take seconds to start and die.
export async function whenFailed(thread: { failure(): Error | undefined }): Promise<void> {
  for (const deadline = Date.now() + 20_000; thread.failure() === undefined;) {
    if (Date.now() > deadline) throw new Error('the thread did not fail within 20 s');
    await new Promise((r) => setTimeout(r, 25));
  }
}
