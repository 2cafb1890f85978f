/** A growable list of int32 values backed by an `Int32Array`: a stack or an append-only list without per-item objects. */
export class IntList {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 64) {
    this.data = new Int32Array(Math.max(4, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** Removes and returns the last value; the caller checks `length > 0` first. */
  pop(): number {
    return this.data[--this.length]!;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  /** A copy of the values, trimmed to `length`. */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
