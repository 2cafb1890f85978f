/**
 * How the result schemas of a UDF step's inputs differ, column by column, for the warning a
 * step gives when its files do not agree (a reader of the whole output may then refuse it).
 */
import type { ColumnInfo } from './table-value.js';

/** Input indexes listed in full before the rest are counted. */
const SHOWN_INPUTS = 5;
/** Columns described in full before the rest are counted. */
const SHOWN_COLUMNS = 10;

function inputList(indexes: readonly number[]): string {
  const shown = indexes.slice(0, SHOWN_INPUTS).join(', ');
  const more = indexes.length > SHOWN_INPUTS ? ` and ${indexes.length - SHOWN_INPUTS} more` : '';
  return `${indexes.length === 1 ? 'input' : 'inputs'} ${shown}${more}`;
}

/**
 * The columns whose type is not the same in every input's result, one text each, e.g.
 * `column a: Null in input 0, Utf8 in inputs 1, 2` (a column an input lacks is `missing`
 * there). Order and nullability are left out: readers match columns by name and every file's
 * columns may hold nulls. Empty when all results agree. At most 10 columns are described; an
 * eleventh entry counts the rest.
 */
export function schemaDifferences(schemas: ReadonlyMap<number, readonly ColumnInfo[]>): string[] {
  const inputs = [...schemas.keys()].sort((a, b) => a - b);
  const names: string[] = [];
  const typesOf = inputs.map((i) => {
    const types = new Map<string, string>();
    for (const c of schemas.get(i)!) {
      if (!names.includes(c.name)) names.push(c.name);
      types.set(c.name, c.type);
    }
    return types;
  });
  const out: string[] = [];
  for (const name of names) {
    // Type -> inputs having it, in order of the first input that has it.
    const groups = new Map<string, number[]>();
    inputs.forEach((input, k) => {
      const type = typesOf[k]!.get(name) ?? 'missing';
      const group = groups.get(type) ?? [];
      group.push(input);
      groups.set(type, group);
    });
    if (groups.size < 2) continue;
    const parts = [...groups].map(([type, at]) => `${type} in ${inputList(at)}`);
    out.push(`column ${name}: ${parts.join(', ')}`);
  }
  if (out.length <= SHOWN_COLUMNS) return out;
  return [...out.slice(0, SHOWN_COLUMNS), `${out.length - SHOWN_COLUMNS} more columns`];
}
