/**
 * Share `index` of `count` over `items` items (inputs, files): a run of neighbouring items, the
 * shares' sizes differing by one at most. Returns `[start, end)`.
 */
export function shareRange(index: number, count: number, items: number): [number, number] {
  return [Math.floor((index * items) / count), Math.floor(((index + 1) * items) / count)];
}
