/** Sizes of the chat bundle that `npm run bundle` leaves in dist/functions/chat (not rebuilt here). */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface BundleFigures {
  entryBytes: number;
  files: number;
  codeBytes: number;
}

export async function chatBundle(projectRoot: string): Promise<BundleFigures | undefined> {
  const dir = join(projectRoot, 'dist', 'functions', 'chat');
  try {
    const entryBytes = (await stat(join(dir, 'index.mjs'))).size;
    let files = 0;
    let codeBytes = 0;
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.mjs')) continue;
      files += 1;
      codeBytes += (await stat(join(entry.parentPath, entry.name))).size;
    }
    return { entryBytes, files, codeBytes };
  } catch {
    return undefined;
  }
}
