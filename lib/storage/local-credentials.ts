/**
 * Provider credentials on local disk (DESIGN.md §4, local mode): each project's JSON map encrypted with AES-256-GCM
 * at `<dataDir>/secrets/<project id>.json.enc`, under a random 32-byte key in `<dataDir>/secrets/master.key` (0600).
 * File layout: version byte, 12-byte IV (fresh per write), 16-byte auth tag, ciphertext. The project id is
 * authenticated as associated data, so one project's file copied over another's fails to open.
 * @see https://nodejs.org/api/crypto.html#class-cipher
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedMutex, parseCredentialMap } from './credential-map.js';
import type { CredentialStore, ProjectCredentials, StoredCredential } from './types.js';

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** Ids become file names: anything that could leave the directory is refused. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function tempName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Writes via a temp file and a rename, so a reader sees the old file or the new one, never half of one. */
async function writeAtomic(path: string, data: Buffer): Promise<void> {
  const temp = tempName(path);
  try {
    await writeFile(temp, data, { mode: 0o600 });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export function encryptCredentials(key: Buffer, projectId: string, plaintext: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(projectId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

export function decryptCredentials(key: Buffer, projectId: string, data: Buffer): string {
  if (data.length < HEADER_BYTES || data[0] !== FORMAT_VERSION) {
    throw new Error(`credentials of project ${projectId}: unknown file format`);
  }
  const iv = data.subarray(1, 1 + IV_BYTES);
  const tag = data.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(projectId, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(data.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`credentials of project ${projectId} failed authentication (file altered or wrong master key)`);
  }
}

export class LocalCredentialStore implements CredentialStore {
  private readonly dir: string;
  private readonly mutex = new KeyedMutex();
  private masterKey: Promise<Buffer> | undefined;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'secrets');
  }

  async get(projectId: string): Promise<ProjectCredentials> {
    return this.read(projectId);
  }

  put(projectId: string, provider: string, credential: StoredCredential): Promise<void> {
    return this.mutex.run(projectId, async () => {
      const credentials = await this.read(projectId);
      credentials[provider] = credential;
      await this.write(projectId, credentials);
    });
  }

  delete(projectId: string, provider: string): Promise<boolean> {
    return this.mutex.run(projectId, async () => {
      const credentials = await this.read(projectId);
      if (!Object.hasOwn(credentials, provider)) return false;
      delete credentials[provider];
      await this.write(projectId, credentials);
      return true;
    });
  }

  /** The file holding a project's credentials. */
  fileFor(projectId: string): string {
    if (!SAFE_ID.test(projectId)) throw new Error('invalid project id for the credential store');
    return join(this.dir, `${projectId}.json.enc`);
  }

  private async read(projectId: string): Promise<ProjectCredentials> {
    const file = this.fileFor(projectId);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return {};
      throw error;
    }
    const text = decryptCredentials(await this.key(), projectId, data);
    return parseCredentialMap(text, `credentials of project ${projectId}`);
  }

  private async write(projectId: string, credentials: ProjectCredentials): Promise<void> {
    const file = this.fileFor(projectId);
    const data = encryptCredentials(await this.key(), projectId, JSON.stringify(credentials));
    await writeAtomic(file, data);
  }

  private key(): Promise<Buffer> {
    this.masterKey ??= loadOrCreateMasterKey(this.dir).catch((error: unknown) => {
      this.masterKey = undefined;
      throw error;
    });
    return this.masterKey;
  }
}

/**
 * Reads `master.key`, creating it on first use. The new key is written to a temp file and linked into place, which
 * fails if another process got there first: then its key is the one used, and both agree.
 */
export async function loadOrCreateMasterKey(dir: string): Promise<Buffer> {
  const path = join(dir, 'master.key');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    return checkKey(await readFile(path), path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  const temp = tempName(path);
  await writeFile(temp, randomBytes(KEY_BYTES), { mode: 0o600 });
  // The mode passed to writeFile is filtered by the umask; the key must be owner-only whatever the umask.
  await chmod(temp, 0o600);
  try {
    await link(temp, path);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return checkKey(await readFile(path), path);
}

function checkKey(key: Buffer, path: string): Buffer {
  if (key.length !== KEY_BYTES) throw new Error(`${path} is not a ${KEY_BYTES}-byte key`);
  return key;
}
