/**
 * Storage interfaces (DESIGN.md §4). The gateway and the admin API code against these; DynamoDB (dynalite locally)
 * and Secrets Manager (an encrypted file store locally) implement them.
 */

export interface Project {
  id: string;
  name: string;
  created_at: string;
}

/** A gateway key as stored: the secret itself never is, only its sha256 (`hash`). */
export interface KeyRecord {
  id: string;
  hash: string;
  project_id: string;
  /** The key's first 8 characters (`gw-` and 5 more), to tell keys apart in lists. */
  prefix: string;
  name: string | null;
  created_at: string;
  expires_at: string | null;
  budget_usd: number | null;
  rpm: number | null;
  /** The key's scope (CONTRACT.md §5): `provider/model` patterns it may use; null or absent: every model. */
  models?: string[] | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface NewKey {
  name?: string | null;
  expires_at?: string | null;
  budget_usd?: number | null;
  rpm?: number | null;
  models?: string[] | null;
}

/** What `PATCH …/keys/{key_id}` may change (CONTRACT.md §5). */
export type KeyChanges = Partial<Pick<KeyRecord, 'name' | 'expires_at' | 'budget_usd' | 'rpm' | 'models'>>;

export interface ProjectStore {
  create(name: string): Promise<Project>;
  get(id: string): Promise<Project | undefined>;
  list(): Promise<Project[]>;
}

export interface KeyStore {
  /** Makes a key; the plaintext `key` is returned here once and never stored. */
  create(projectId: string, options: NewKey): Promise<{ record: KeyRecord; key: string }>;
  /** The record for a key's sha256 (hex); cached ≤ 60 s, and a revoke in this process clears the cache at once. */
  findByHash(hash: string): Promise<KeyRecord | undefined>;
  /** A project's keys, newest first. */
  list(projectId: string): Promise<KeyRecord[]>;
  /** Marks a key revoked; undefined when the project has no such key. */
  revoke(projectId: string, keyId: string): Promise<KeyRecord | undefined>;
  /** Changes a key's settings (`null` clears one); undefined when the project has no such key. */
  update(projectId: string, keyId: string, changes: KeyChanges): Promise<KeyRecord | undefined>;
  /** Records a use of the key (`last_used_at`); implementations may skip writes closer than a minute apart. */
  touch(record: KeyRecord, at: Date): Promise<void>;
}

/** One stored provider credential: the admin PUT body as validated, with its bookkeeping. */
export interface StoredCredential {
  /** The credential's type (`openai`, `azure`, `openai-compatible`, …): the provider factory's `type`. */
  type: string;
  credential: Record<string, unknown>;
  updated_at: string;
}

/** A project's provider credentials, keyed by provider name (`openai`, `acme`, …). */
export type ProjectCredentials = Record<string, StoredCredential>;

export interface CredentialStore {
  /** All of a project's credentials; cached ≤ 60 s by the chat side, cleared at once by a put/delete here. */
  get(projectId: string): Promise<ProjectCredentials>;
  put(projectId: string, provider: string, credential: StoredCredential): Promise<void>;
  /** False when the project had no credential for that provider. */
  delete(projectId: string, provider: string): Promise<boolean>;
}

export interface Stores {
  projects: ProjectStore;
  keys: KeyStore;
  credentials: CredentialStore;
}
