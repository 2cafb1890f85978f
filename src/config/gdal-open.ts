import type { z } from 'zod';
import { fromCamel, renameKeys } from './camel.js';
import { parseConfig } from './issues.js';
import { type GdalOpenJson, gdalOpenSchema } from './partition-schema.js';
import { defineFields } from './readonly.js';

/** Options of {@link GDALOpenConfig} (camelCase; a job file uses `open_options`, `layer`). */
export interface GDALOpenInit {
  /**
   * GDAL open options, `{ NAME: value }`, as `ogr2ogr -oo NAME=value` takes them. Numbers are
   * stored as their decimal text and booleans as `YES`/`NO`. Default `{}`.
   */
  readonly openOptions?: Readonly<Record<string, string | number | boolean>>;
  /** Layer name, or 0-based layer index; null (default) reads the only layer. */
  readonly layer?: string | number | null;
}

const initSchema = fromCamel(gdalOpenSchema);

/** Converts a `gdalConfig` option given to a step: an instance or camelCase options. */
export function gdalInitToJson(value: unknown, ctx: z.RefinementCtx, path: PropertyKey[]): unknown {
  if (value instanceof GDALOpenConfig) return value.toJSON();
  return renameKeys(value, ctx, path);
}

/** How to open an input with GDAL: open options and the layer to read. Immutable. */
export class GDALOpenConfig {
  /** GDAL open options, `NAME -> value`, handed to GDAL as `NAME=value` when the input is opened. */
  declare readonly openOptions: Readonly<Record<string, string>>;
  /**
   * Layer name or 0-based index. Null: the only layer; an input with several layers is then an
   * error that lists them.
   */
  declare readonly layer: string | number | null;

  constructor(init: GDALOpenInit = {}) {
    this.load(parseConfig(initSchema, init));
    Object.freeze(this);
  }

  /** Validates the JSON form (`open_options`, `layer`); `path` prefixes error paths. */
  static fromJSON(value: unknown, path = ''): GDALOpenConfig {
    const config: GDALOpenConfig = Object.create(GDALOpenConfig.prototype);
    config.load(parseConfig(gdalOpenSchema, value, path));
    Object.freeze(config);
    return config;
  }

  private load(json: GdalOpenJson): void {
    defineFields(this, { openOptions: json.open_options, layer: json.layer });
  }

  /** The job-file (snake_case) JSON form. */
  toJSON(): GdalOpenJson {
    return { open_options: { ...this.openOptions }, layer: this.layer };
  }
}
