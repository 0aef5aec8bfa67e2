import { moduleLogger } from '../log.js';

const log = moduleLogger('actions');

/** A typed listener list whose emit survives a throwing listener: an observer must never stop a warning. */
export class Listeners<T> {
  readonly #set = new Set<(event: T) => void>();

  add(listener: (event: T) => void): () => void {
    this.#set.add(listener);
    return () => this.#set.delete(listener);
  }

  emit(event: T): void {
    for (const listener of this.#set) {
      try {
        listener(event);
      } catch (error) {
        log.error({ err: error }, 'an actions listener threw');
      }
    }
  }
}
