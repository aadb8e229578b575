/**
 * A function's Lambda code: an asset bundled at synth time by esbuild in this process (see ./bundling.ts).
 * CDK skips bundling for stacks outside `aws:cdk:bundling-stacks` (the unit tests set it to `[]`), and then stages
 * the source folder instead: the same code path, without the build.
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.BundlingOptions.html
 */
import { join } from 'node:path';
import { AssetHashType } from 'aws-cdk-lib';
import { Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { esbuildOptions, FUNCTION_ENTRIES, type FunctionName, PROJECT_ROOT } from './bundling.js';

export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;

export function functionCode(name: FunctionName): Code {
  return Code.fromAsset(join(PROJECT_ROOT, FUNCTION_ENTRIES[name], '..'), {
    // The bundle pulls in lib/ and node_modules, so only its output says whether the code changed.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, never pulled: local bundling always answers (esbuild is a devDependency), and a
      // failed build throws, so a broken bundle stops the synth instead of silently falling back to Docker.
      image: FUNCTION_RUNTIME.bundlingImage,
      local: {
        tryBundle(outputDir: string): boolean {
          buildSync(esbuildOptions(name, outputDir));
          return true;
        },
      },
    },
  });
}
