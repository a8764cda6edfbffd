/**
 * A bounded cache with least-recently-used eviction by generations: entries live in a young map
 * and an old map; a hit in the old map moves the entry to the young one; when the young map is
 * full it becomes the old one and the previous old map is dropped. Hits in the young map cost one
 * Map lookup, memory stays under `capacity` entries, and a flood of distinct keys (random User-
 * Agents, random IPs) only ever evicts, never grows the heap.
 */
export class GenerationalCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly generation: number;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {
    this.generation = Math.max(1, Math.ceil(capacity / 2));
  }

  get(key: string): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) {
      this.hits++;
      return v;
    }
    const o = this.old.get(key);
    if (o !== undefined) {
      this.hits++;
      this.old.delete(key);
      this.put(key, o);
      return o;
    }
    this.misses++;
    return undefined;
  }

  set(key: string, value: V): void {
    if (this.young.has(key)) {
      this.young.set(key, value);
      return;
    }
    this.old.delete(key);
    this.put(key, value);
  }

  private put(key: string, value: V): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}
