import type { StoreBundle } from '../lib/storage/index.js';

export const DEFAULT_PROJECT = 'default';

export interface DefaultProject {
  projectId: string;
  /** Set only when the key was made now: a key is shown once and never stored in plain text. */
  key?: string;
}

/** Makes the `default` project and its first key when the gateway has no project yet. */
export async function ensureDefaultProject(stores: StoreBundle): Promise<DefaultProject> {
  const projects = await stores.projects.list();
  const existing = projects.find((project) => project.name === DEFAULT_PROJECT) ?? projects[0];
  if (existing) return { projectId: existing.id };
  const project = await stores.projects.create(DEFAULT_PROJECT);
  const { key } = await stores.keys.create(project.id, { name: 'default' });
  return { projectId: project.id, key };
}
