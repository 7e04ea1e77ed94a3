// IntersectionObservers for jsdom, which lays nothing out: jest-setup.js's never reports anything,
// so what loads as it comes near the view (a feedback screenshot) would never load.

type Callback = (entries: Array<{ isIntersecting: boolean; target: Element }>) => void;

/** Puts `observer` in the global's place until the returned function restores the one before. */
function installed(observer: unknown): () => void {
  const before = window.IntersectionObserver;
  Object.defineProperty(window, 'IntersectionObserver', { configurable: true, writable: true, value: observer });
  return () =>
    Object.defineProperty(window, 'IntersectionObserver', { configurable: true, writable: true, value: before });
}

/** Every element observed is reported in view as it is observed, as on a screen tall enough. */
export function everythingInView(): () => void {
  return installed(
    class {
      constructor(private readonly callback: Callback) {}
      observe(target: Element) {
        queueMicrotask(() => this.callback([{ isIntersecting: true, target }]));
      }
      unobserve() {}
      disconnect() {}
    }
  );
}

/**
 * Observers the test drives: `observed` holds each element watched (until its observer is
 * disconnected) with the callback that reports it.
 */
export function drivenIntersections(): {
  observed: Map<Element, (isIntersecting: boolean) => void>;
  restore: () => void;
} {
  const observed = new Map<Element, (isIntersecting: boolean) => void>();
  const owners = new Map<Element, object>();
  const restore = installed(
    class {
      constructor(private readonly callback: Callback) {}
      observe(target: Element) {
        observed.set(target, (isIntersecting) => this.callback([{ isIntersecting, target }]));
        owners.set(target, this);
      }
      unobserve(target: Element) {
        observed.delete(target);
        owners.delete(target);
      }
      disconnect() {
        for (const [target, owner] of owners) {
          if (owner === this) {
            observed.delete(target);
            owners.delete(target);
          }
        }
      }
    }
  );
  return { observed, restore };
}
