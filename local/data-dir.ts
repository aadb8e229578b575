/**
 * The local data directory (CONTRACT.md §6): created `0700` with its files `0600` (usage rows, key hashes and the
 * encrypted credentials are nobody else's business on a shared machine), held by one gateway at a time through a
 * lock file, and watched so that a directory deleted under a running gateway is reported as that, not as a 500.
 */
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'gateway.lock';
const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;

/** A start-up failure with a one-line message for the person at the terminal (no stack trace). */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** Creates the directory (or tightens an existing one and what is in it) and checks it is writable. */
export async function prepareDataDir(dataDir: string): Promise<void> {
  try {
    await fs.mkdir(dataDir, { recursive: true, mode: DIRECTORY_MODE });
    await fs.access(dataDir, constants.W_OK);
    await tighten(dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(
      `The data directory ${dataDir} is not writable (${code}); set GATEWAY_DATA_DIR to one that is.`,
    );
  }
}

/** Directories `0700`, files `0600`, all the way down: data written by an earlier version was 0755/0644. */
async function tighten(dir: string): Promise<void> {
  await fs.chmod(dir, DIRECTORY_MODE);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await tighten(path);
    else if (entry.isFile()) await fs.chmod(path, FILE_MODE);
  }
}

/**
 * Takes the directory's lock: a file naming this process. One left by a process that is gone is taken over; one
 * held by a live process is a one-line start-up error (two gateways on one dynalite store would corrupt it).
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      if (heldHere.has(path)) throw Object.assign(new Error('held in this process'), { code: 'EEXIST' });
      await fs.writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: FILE_MODE });
      heldHere.add(path);
      return async () => {
        heldHere.delete(path);
        // Only our own lock: a directory deleted and reused by another gateway meanwhile keeps its lock.
        const holder = await fs.readFile(path, 'utf8').catch(() => '');
        if (Number(holder.trim()) === process.pid) await fs.rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await fs.readFile(path, 'utf8').catch(() => '')).trim());
    const heldByUs = heldHere.has(path);
    if (heldByUs || (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder))) {
      throw new StartupError(
        `The data directory ${dataDir} is in use by another gateway (pid ${heldByUs ? process.pid : holder}); stop it, or set GATEWAY_DATA_DIR to another directory.`,
      );
    }
    await fs.rm(path, { force: true }); // stale: its process is gone
  }
  throw new StartupError(`Could not take the lock ${path}.`);
}

/** Locks this process holds: a second gateway in the same process (tests, embedders) is refused too. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the directory still holds this gateway's lock: false once someone deleted the directory. */
export async function dataDirPresent(dataDir: string): Promise<boolean> {
  return fs
    .access(join(dataDir, LOCK_FILE))
    .then(() => true)
    .catch(() => false);
}
