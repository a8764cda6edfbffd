import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { dataFromFiles, type EnrichmentData, loadDataDir } from '@vigil/enrich';

/**
 * `vigil data update DIR`, the air-gapped update path: validates the folder's data files, then
 * puts them into the server's enrichment folder (`<data dir>/enrichment`) atomically, file by
 * file (copy to a hidden temporary name, then rename), so a running server polling that folder
 * never reads a half-written file. Nothing is copied when any file is malformed.
 */

export class DataUpdateError extends Error {
  override name = 'DataUpdateError';
}

export interface DataUpdateResult {
  /** Names of the files copied into the enrichment folder. */
  copied: string[];
  /** Files of DIR that Vigil does not recognise (not copied). */
  ignored: string[];
  /** The data set the enrichment folder now yields (bundled data overlaid by its files). */
  data: EnrichmentData;
  target: string;
}

/** A file loadDataDir reads (hidden files and READMEs are skipped by it too). */
function candidate(name: string): boolean {
  return !name.startsWith('.') && !/^readme/i.test(name);
}

async function regularFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!candidate(name)) continue;
    if ((await stat(join(dir, name))).isFile()) out.push(name);
  }
  return out;
}

export async function updateDataDir(sourceDir: string, targetDir: string): Promise<DataUpdateResult> {
  const source = resolve(sourceDir);
  const target = resolve(targetDir);
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(source);
  } catch {
    throw new DataUpdateError(`${sourceDir}: no such folder`);
  }
  if (!st.isDirectory()) throw new DataUpdateError(`${sourceDir} is not a folder`);
  if (source === target) throw new DataUpdateError(`${sourceDir} is the enrichment folder itself`);

  // 1. The new files on their own: a malformed line is reported with the file and line number.
  const incoming = await loadDataDir(source);
  const ignored = [...incoming.ignoredFiles];
  const names = (await regularFiles(source)).filter((n) => !ignored.includes(n));
  if (names.length === 0) {
    throw new DataUpdateError(
      `${sourceDir} holds no data file Vigil recognises${ignored.length ? ` (ignored: ${ignored.join(', ')})` : ''}; ` +
        'see docs/enrichment.md for the file names',
    );
  }

  // 2. The folder as it will be (current files, overwritten by the new ones) must load too.
  await mkdir(target, { recursive: true });
  const existing = (await regularFiles(target)).filter((n) => !names.includes(n));
  const combined = await Promise.all(
    [...existing.map((n) => join(target, n)), ...names.map((n) => join(source, n))].map(async (path) => ({
      name: basename(path),
      content: await readFile(path),
    })),
  );
  dataFromFiles(combined);

  // 3. Copy under hidden temporary names (a poller skips them), keep the source dates, then rename.
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temps: [string, string][] = [];
  try {
    for (const name of names) {
      const from = join(source, name);
      const tmp = join(target, `.${name}.${tag}.tmp`);
      await copyFile(from, tmp);
      const s = await stat(from);
      await utimes(tmp, s.atime, s.mtime);
      temps.push([tmp, join(target, name)]);
    }
    for (const [tmp, final] of temps) await rename(tmp, final);
  } catch (error) {
    await Promise.all(temps.map(([tmp]) => unlink(tmp).catch(() => {})));
    throw error;
  }
  return { copied: names, ignored, data: await loadDataDir(target), target };
}
