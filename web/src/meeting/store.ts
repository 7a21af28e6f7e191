// A minimal observable value: React reads it with useSyncExternalStore, tests read it directly.

export type Listener = () => void;

export class Store<T> {
  private listeners = new Set<Listener>();

  constructor(private value: T) {}

  get = (): T => this.value;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  update(updater: (value: T) => T): void {
    const next = updater(this.value);
    if (Object.is(next, this.value)) return;
    this.value = next;
    for (const listener of [...this.listeners]) listener();
  }
}
