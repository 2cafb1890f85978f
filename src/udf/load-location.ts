/**
 * Where a UDF module failed to load: `file:line` from the error Node raised. Node puts the
 * location in different places: the first line of `stack` for a failed import binding, a stack
 * frame for an error thrown by top-level code, and nowhere at all for a syntax error raised
 * by a dynamic `import()`. For that last case `node --check` parses the file and prints the
 * location as the first line of its output.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A place in a source file; `line` counts from 1. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** `file:///a/b.mjs` or `/a/b.mjs` as a path; null for `node:` and other internal names. */
function sourcePath(name: string): string | null {
  if (name.startsWith('file://')) {
    try {
      return fileURLToPath(name);
    } catch {
      return null;
    }
  }
  return name.startsWith('/') ? name : null;
}

/** The location Node printed as `file:line` on a line of its own (a decorated stack). */
function headerLocation(text: string): SourceLocation | null {
  const first = text.split('\n', 1)[0] ?? '';
  const m = /^(\S+):(\d+)$/.exec(first.trim());
  if (!m) return null;
  const file = sourcePath(m[1]!);
  return file === null ? null : { file, line: Number(m[2]) };
}

/** The first stack frame in a user file (not `node:` internals). */
function frameLocation(stack: string): SourceLocation | null {
  for (const line of stack.split('\n')) {
    const at = /^\s*at (?:.*\((.+)\)|(.+))$/.exec(line);
    const m = /^(.+):(\d+):\d+$/.exec(at?.[1] ?? at?.[2] ?? '');
    const file = m ? sourcePath(m[1]!) : null;
    if (file !== null) return { file, line: Number(m![2]) };
  }
  return null;
}

/** Runs `node --check file` and reads the location of the syntax error it reports, if any. */
function checkSyntax(file: string): Promise<SourceLocation | null> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--check', file],
      { encoding: 'utf8', timeout: 60_000 },
      (err, _out, stderr) => {
        resolve(err === null ? null : headerLocation(String(stderr)));
      },
    );
  });
}

/**
 * The location of the error `err` raised while importing the module at `file` (a path), or
 * null when Node gives none (e.g. a syntax error inside a module the UDF module imports).
 */
export async function loadErrorLocation(err: unknown, file: string): Promise<SourceLocation | null> {
  if (!(err instanceof Error)) return null;
  const stack = typeof err.stack === 'string' ? err.stack : '';
  const found = headerLocation(stack) ?? (err.name === 'SyntaxError' ? null : frameLocation(stack));
  if (found !== null) return found;
  if (err.name === 'SyntaxError') return (await checkSyntax(file)) ?? frameLocation(stack);
  return null;
}
