/**
 * GDAL's warning for an unknown open option ("driver OSM does not support open option X")
 * made useful: it names the driver and suggests the nearest of the options the driver
 * declares (its DMD_OPENOPTIONLIST), as a mistyped `-oo` is almost always a near miss.
 */

const UNKNOWN_OPTION = /^driver (\S+) does not support open option (\S+)$/;

/** The option names declared in a driver's DMD_OPENOPTIONLIST XML. */
export function openOptionNames(optionListXml: string): string[] {
  const names: string[] = [];
  for (const m of optionListXml.matchAll(/<Option\s+name=(['"])([^'"]+)\1/g)) names.push(m[2]!);
  return names;
}

/** Levenshtein distance, case-insensitive (option names are upper case by convention). */
function distance(a: string, b: string): number {
  a = a.toUpperCase();
  b = b.toUpperCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The declared names close enough to `wanted` to be what the user meant, nearest first. */
export function suggestOptions(wanted: string, names: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  const upper = wanted.toUpperCase();
  return names
    .map((name) => {
      const n = name.toUpperCase();
      const contains = n.length > 2 && upper.length > 2 && (n.includes(upper) || upper.includes(n));
      return { name, d: contains ? 0.5 : distance(wanted, name) };
    })
    .filter((c) => c.d <= limit)
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name))
    .slice(0, 3)
    .map((c) => c.name);
}

/**
 * Rewrites GDAL's unknown-open-option warning with a "did you mean" and the driver's list;
 * any other warning is returned as it is.
 */
export function explainGdalWarning(message: string, optionListXml: string): string {
  const m = UNKNOWN_OPTION.exec(message.trim());
  if (!m) return message;
  const [, driver, option] = m;
  const names = openOptionNames(optionListXml);
  const near = suggestOptions(option!, names);
  const meant = near.length > 0 ? ` Did you mean ${near.join(' or ')}?` : '';
  const list =
    names.length > 0 ? ` Its open options are: ${names.join(', ')}.` : ' It declares no open options.';
  return `GDAL driver ${driver} has no open option ${option}, so it was ignored.${meant}${list}`;
}
