/**
 * Writes a picture file atomically: into a hidden temporary file beside the target, renamed into
 * place when complete, so a reader never sees half a picture and a failed run leaves the old one.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomically } from '../commit/atomic-file.js';
import { GeopartError } from '../errors.js';

/**
 * Checks that a picture can be written to `path`, before the work of drawing it: its folder
 * exists, and the file does not unless `overwrite`.
 * @throws GeopartError `OUTPUT_EXISTS` or `INVALID_ARGUMENT`
 */
export function checkImageTarget(path: string, overwrite: boolean): void {
  if (!overwrite && existsSync(path)) {
    throw new GeopartError(
      'OUTPUT_EXISTS',
      `${path} exists: pass --overwrite to replace it, or choose another file`,
      {
        file: path,
      },
    );
  }
  if (!existsSync(dirname(path))) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `cannot write ${path}: the folder ${dirname(path)} does not exist`,
      {
        file: path,
      },
    );
  }
}

/**
 * Writes `data` to `path`.
 * @param overwrite replace an existing file; without it an existing file is an `OUTPUT_EXISTS` error
 */
export async function writeImageFile(
  path: string,
  data: Uint8Array | string,
  overwrite: boolean,
): Promise<void> {
  checkImageTarget(path, overwrite);
  try {
    await writeFileAtomically(path, (tmp) => writeFile(tmp, data));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `cannot write ${path} (${code ?? String(e)}): check that its folder exists and is writable`,
      {
        file: path,
      },
      { cause: e },
    );
  }
}
