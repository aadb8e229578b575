/**
 * AWS's Node.js runtime interface client (`aws-lambda-ric`, the npm package Lambda's own Node.js runtime is built
 * from) for the runtime-client tests (test/lambda). It is a native addon whose install builds curl and aws-lambda-cpp
 * from the sources inside the package (cmake, make, g++; 2–6 minutes on 2 cores), so it is not a dependency of the
 * project's own `npm ci`: `npm run test:lambda` runs this first, which installs test/lambda/aws-lambda-ric's lock file
 * once into a cache directory outside the work tree, keyed by that lock file, Node's ABI and the CPU, and reuses it.
 *
 * `AWS_LAMBDA_RIC_DIR` names an install to use instead (a directory holding node_modules/aws-lambda-ric).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'lambda', 'aws-lambda-ric');

/** Where the client is (or will be) installed. */
export async function runtimeClientDir(): Promise<string> {
  if (process.env.AWS_LAMBDA_RIC_DIR) return resolve(process.env.AWS_LAMBDA_RIC_DIR);
  const lock = await readFile(join(PACKAGE_DIR, 'package-lock.json'));
  const key = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const cacheRoot = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cacheRoot, 'llm-gateway', `aws-lambda-ric-${key}-abi${process.versions.modules}-${process.arch}`);
}

/** The client's entry (its `aws-lambda-ric` bin), when it is installed and built. */
export async function runtimeClientEntry(): Promise<string | undefined> {
  const modules = join(await runtimeClientDir(), 'node_modules', 'aws-lambda-ric');
  const built = existsSync(join(modules, 'rapid-client.node')) && existsSync(join(modules, 'index.mjs'));
  return built ? join(modules, 'index.mjs') : undefined;
}

/** Installs the client unless it is there; returns its entry. */
export async function ensureRuntimeClient(): Promise<string> {
  const present = await runtimeClientEntry();
  if (present) return present;
  const target = await runtimeClientDir();
  await mkdir(dirname(target), { recursive: true });
  // Built beside the target and renamed into place, so a run stopped half-way never leaves a broken install.
  const staging = await mkdtemp(`${target}.staging-`);
  try {
    await copyFile(join(PACKAGE_DIR, 'package.json'), join(staging, 'package.json'));
    await copyFile(join(PACKAGE_DIR, 'package-lock.json'), join(staging, 'package-lock.json'));
    console.log(`Building aws-lambda-ric (curl and aws-lambda-cpp from source) in ${staging} …`);
    const started = Date.now();
    await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: staging,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`npm ci of aws-lambda-ric failed: ${error.stderr?.slice(-4000) || error.message}`);
    });
    console.log(`… built in ${Math.round((Date.now() - started) / 1000)} s`);
    // Another run may have finished the same build meanwhile: keep the one in place, which may be in use.
    if (!(await runtimeClientEntry())) {
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const entry = await runtimeClientEntry();
  if (!entry) throw new Error(`aws-lambda-ric installed in ${target} but its native client is missing`);
  return entry;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureRuntimeClient().then(
    (entry) => console.log(`aws-lambda-ric: ${entry}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
