/**
 * Point geometries from two coordinate columns (`lonlat_cols`).
 */
import { WKB_POINT, type WkbColumn } from './wkb.js';
import { WkbBuilder } from './wkb-builder.js';

/**
 * One little-endian WKB Point per row from longitude and latitude arrays (degrees). A row whose
 * longitude or latitude is NaN (how callers pass nulls) gets a null geometry, not an empty
 * point: there is no location to partition it by.
 */
export function pointsFromLonLat(lon: Float64Array, lat: Float64Array): WkbColumn {
  const n = Math.min(lon.length, lat.length);
  const out = new WkbBuilder(n, n * 21);
  for (let i = 0; i < n; i++) {
    const x = lon[i]!;
    const y = lat[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      out.appendNull();
      continue;
    }
    out.header(WKB_POINT, false);
    out.f64(x);
    out.f64(y);
    out.endRow();
  }
  return out.finish();
}
