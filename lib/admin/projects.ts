import * as z from 'zod';
import { notFound } from '../core/errors.js';
import type { Project, Stores } from '../storage/types.js';
import { readBody } from './body.js';
import { type AdminResponse, json } from './http.js';
import type { RouteContext } from './routes.js';

const newProjectSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
});

/** Ids are short and plain; anything else cannot name a project (and must not reach a table or a file name). */
const PROJECT_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function projectView(project: Project) {
  return { id: project.id, name: project.name, created_at: project.created_at };
}

/** The project named in the path, or a 404. */
export async function loadProject(stores: Stores, id: string | undefined): Promise<Project> {
  const project = id !== undefined && PROJECT_ID.test(id) ? await stores.projects.get(id) : undefined;
  if (!project) throw notFound(`Project '${id ?? ''}' not found.`, 'project_not_found');
  return project;
}

export async function createProject({ req, stores }: RouteContext): Promise<AdminResponse> {
  const { name } = readBody(req.body, newProjectSchema);
  return json(201, projectView(await stores.projects.create(name)));
}

export async function listProjects({ stores }: RouteContext): Promise<AdminResponse> {
  const projects = await stores.projects.list();
  return json(200, { data: projects.map(projectView) });
}

export async function getProject({ params, stores }: RouteContext): Promise<AdminResponse> {
  return json(200, projectView(await loadProject(stores, params.project)));
}
