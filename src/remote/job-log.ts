/**
 * The log of a job on its instance: text collected in memory, with secrets masked, and uploaded
 * whole to `log.txt` now and then and at the end. The log only grows, so a reader can follow
 * it by byte offset.
 */
import { putObject } from '../io/s3.js';

/** Variables whose values are always masked in logs, whatever the job's own variables are. */
const SECRET_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** Values shorter than this are not masked: masking `1` or `on` would garble every line. */
const MIN_MASKED_LENGTH = 4;

/**
 * The masks to apply to log text: each value of the named variables (and the AWS credential
 * variables) in `env`, longest first so a value that contains another is masked whole.
 */
export function secretMasks(names: readonly string[], env: NodeJS.ProcessEnv): [string, string][] {
  const masks: [string, string][] = [];
  for (const name of [...SECRET_NAMES, ...names]) {
    const value = env[name];
    if (value !== undefined && value.length >= MIN_MASKED_LENGTH) masks.push([value, `<${name} hidden>`]);
  }
  return masks.sort((a, b) => b[0].length - a[0].length);
}

/** `text` with every masked value replaced by its placeholder. */
export function maskSecrets(text: string, masks: readonly [string, string][]): string {
  let out = text;
  for (const [value, placeholder] of masks) out = out.replaceAll(value, placeholder);
  return out;
}

/** A growing log that uploads itself to one S3 object. */
export class JobLog {
  readonly #url: string;
  readonly #masks: readonly [string, string][];
  readonly #echo: (text: string) => void;
  #text = '';
  #uploaded = 0;
  #pending = '';
  #upload: Promise<void> = Promise.resolve();

  /**
   * @param url `s3://.../log.txt`
   * @param masks from {@link secretMasks}
   * @param echo also receives every masked piece of text (e.g. the instance's console)
   */
  constructor(url: string, masks: readonly [string, string][], echo: (text: string) => void = () => {}) {
    this.#url = url;
    this.#masks = masks;
    this.#echo = echo;
  }

  /**
   * Appends text. Text is masked a line at a time, so a secret split across two writes is
   * still caught; an unfinished last line waits for its end (or {@link flush}).
   */
  write(text: string): void {
    const all = this.#pending + text;
    const end = all.lastIndexOf('\n') + 1;
    this.#pending = all.slice(end);
    if (end > 0) this.#append(maskSecrets(all.slice(0, end), this.#masks));
  }

  /** Appends one line with a UTC time stamp. */
  line(message: string): void {
    this.write(`[${new Date().toISOString()}] ${message}\n`);
  }

  #append(text: string): void {
    this.#text += text;
    this.#echo(text);
  }

  /** Uploads the log if it grew since the last upload; uploads never overlap. */
  async upload(): Promise<void> {
    // A failed upload does not block the next: the next one sends the whole log again.
    this.#upload = this.#upload
      .catch(() => undefined)
      .then(async () => {
        if (this.#text.length === this.#uploaded) return;
        const length = this.#text.length;
        await putObject(this.#url, this.#text, { contentType: 'text/plain; charset=utf-8' });
        this.#uploaded = length;
      });
    return this.#upload;
  }

  /** Ends an unfinished last line and uploads everything. */
  async flush(): Promise<void> {
    if (this.#pending !== '') this.write('\n');
    await this.upload();
  }
}
