/**
 * Input column names as a reader of the output will show them. Parquet allows any names, but
 * readers do not: DuckDB matches names without regard to letter case, renames a repeated name
 * `name_1`, `name_2`, ... and an empty one `C` + its position. geopart gives
 * the columns those names before writing, and keeps `geometry` and `bbox` for its own columns,
 * so the table reads back with the names it was written with (README.md, "Column names").
 */
import { GEOMETRY_COLUMN } from './source.js';

/** The columns geopart writes itself (the geometry and its covering box); inputs may not take them. */
export const WRITTEN_COLUMNS: readonly string[] = [GEOMETRY_COLUMN, 'bbox'];

/** An input column written under another name. */
export interface ColumnRename {
  /** The name in the input ('' for none). */
  readonly from: string;
  /** The name written. */
  readonly to: string;
  /** Why: a name geopart writes, a repeat (letter case aside) of an earlier name, or no name. */
  readonly reason: 'written' | 'repeated' | 'empty';
}

/**
 * The names to write for input columns `names`, in order, and the renames made. `positions[k]`
 * is column k's 0-based position in the input (default k), for the `C` name of an empty one.
 */
export function readerNames(
  names: readonly string[],
  positions: readonly number[] = names.map((_, k) => k),
): { names: string[]; renames: ColumnRename[] } {
  const taken = new Namer();
  for (const w of WRITTEN_COLUMNS) taken.take(w);
  const out = names.map((name) => taken.take(name));
  // As DuckDB does: repeats first, then the one name left empty becomes C + its position.
  const empty = out.indexOf('');
  if (empty >= 0) out[empty] = taken.take(`C${positions[empty] ?? empty}`);
  const written = new Set(WRITTEN_COLUMNS);
  const renames: ColumnRename[] = [];
  out.forEach((to, k) => {
    const from = names[k]!;
    if (to === from) return;
    const reason = from === '' ? 'empty' : written.has(from.toLowerCase()) ? 'written' : 'repeated';
    renames.push({ from, to, reason });
  });
  return { names: out, renames };
}

/**
 * DuckDB's renaming of repeated names: a name taken already (in any letter case) becomes
 * `name_k`, k counting that name's repeats, and that candidate is itself checked the same way
 * (so `a, a_1, a` reads as `a, a_1, a_1_1`).
 */
class Namer {
  private readonly repeats = new Map<string, number>();

  take(name: string): string {
    const low = name.toLowerCase();
    const k = this.repeats.get(low);
    if (k === undefined) {
      this.repeats.set(low, 0);
      return name;
    }
    this.repeats.set(low, k + 1);
    return this.take(`${name}_${k + 1}`);
  }
}

/** The warning that says which columns of `file` are written under other names, and why. */
export function renameWarning(file: string, renames: readonly ColumnRename[]): string {
  const parts = renames.map((r) => {
    const why =
      r.reason === 'written'
        ? `geopart writes its own ${r.from.toLowerCase()} column`
        : r.reason === 'empty'
          ? 'the column has no name'
          : 'an earlier column has the same name, letter case aside';
    return `'${r.from}' as '${r.to}' (${why})`;
  });
  return (
    `${file}: column${renames.length > 1 ? 's' : ''} written under another name, as DuckDB would show ` +
    `${renames.length > 1 ? 'them' : 'it'}: ${parts.join(', ')}; to leave a column out give --drop-columns ` +
    '(remove_cols), or rename it in the input'
  );
}
