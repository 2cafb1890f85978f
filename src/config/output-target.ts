import { z } from 'zod';
import { location, strictObject } from './fields.js';
import { expects, parseConfig } from './issues.js';
import { looksLikeLocation, TABLE_NAME } from './paths.js';

/** What {@link JobStepConfig.setOutput} takes besides the table or URL. */
export interface SetOutputOptions {
  /** A table name: a folder under the working directory, matching `^[A-Za-z0-9_][A-Za-z0-9_.-]*$`. */
  readonly table?: string;
  /** A path or URL to write to; overrides `table`. */
  readonly url?: string;
  /** True: change and return this object. False (default): return a changed, validated copy. */
  readonly inplace?: boolean;
  /** Replace an existing output; undefined leaves the current setting. */
  readonly overwrite?: boolean;
}

const TABLE_TEXT = 'a table name matching ^[A-Za-z0-9_][A-Za-z0-9_.-]*$';

const argsSchema = strictObject(
  {
    table_or_url: z
      .string(
        expects(
          `${TABLE_TEXT}, a path (containing "/" or starting with ".") or a URL (scheme://), or null for no output`,
        ),
      )
      .min(1)
      .refine((v) => looksLikeLocation(v) || TABLE_NAME.test(v))
      .nullable()
      .optional(),
    table: z.string(expects(TABLE_TEXT)).regex(TABLE_NAME).optional(),
    url: location().optional(),
    inplace: z.boolean(expects('true or false')).optional(),
    overwrite: z.boolean(expects('true or false, or undefined to leave it as it is')).optional(),
  },
  'an options object {table, url, inplace, overwrite}',
).superRefine((args, ctx) => {
  if (args.table_or_url !== undefined && (args.table !== undefined || args.url !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['table_or_url'],
      message: `got ${JSON.stringify(args.table_or_url)} together with table or url; give the output once`,
    });
  }
});

/** The step fields a `setOutput` call changes (absent = unchanged), and whether in place. */
export interface OutputChange {
  readonly fields: { output?: string | null; overwrite?: boolean };
  readonly inplace: boolean;
}

/**
 * Validates `setOutput`'s arguments and works out the new `output`: the URL, else the table
 * name (kept as given: a folder relative to the working directory), else the first argument.
 * `null` as first argument clears the output; leaving everything out keeps it.
 */
export function outputChange(tableOrUrl: string | null | undefined, options: SetOutputOptions): OutputChange {
  const args = parseConfig(argsSchema, { ...options, table_or_url: tableOrUrl });
  const output = args.table_or_url !== undefined ? args.table_or_url : (args.url ?? args.table);
  return {
    fields: {
      ...(output !== undefined && { output }),
      ...(args.overwrite !== undefined && { overwrite: args.overwrite }),
    },
    inplace: args.inplace ?? false,
  };
}
