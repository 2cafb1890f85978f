/** Locations inside a table being read: a file of the table folder, local or behind a URL. */
import { resolve } from 'node:path';
import { isUrl } from '../format/table-location.js';

/** `child` inside table `base` (path or URL). */
export function joinLocation(base: string, child: string): string {
  if (isUrl(base)) return `${base.replace(/\/+$/, '')}/${child}`;
  return resolve(base, child);
}
