/** The commit markers, named by the table format (src/format/markers.ts), for the commit code. */
export { COMMIT_MARKERS, SUCCESS_MARKER, TABLE_MARKER } from '../format/markers.js';
