/**
 * `npm run admin -- <METHOD> <path> [json body]`: calls the deployed admin Function URL (auth `AWS_IAM`) with a
 * SigV4-signed request, using your usual AWS credentials (environment, profile, SSO), and prints the answer.
 *
 *   export GATEWAY_ADMIN_URL=https://<id>.lambda-url.<region>.on.aws/   # the stack's AdminUrl output
 *   npm run admin -- POST /admin/projects '{"name":"demo"}'
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
import { adminClient } from './sigv4.js';

async function main(): Promise<void> {
  const [method, path, body] = process.argv.slice(2);
  const base = process.env.GATEWAY_ADMIN_URL;
  if (!method || !path || !base) {
    throw new Error('usage: GATEWAY_ADMIN_URL=<AdminUrl> npm run admin -- <METHOD> <path> [json body]');
  }
  if (body !== undefined) JSON.parse(body); // fail here, not with a 400 from the gateway
  const response = await adminClient(base).send(method, path, body);
  const text = await response.text();
  console.log(`${response.status} ${response.statusText}`);
  try {
    console.log(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    console.log(text);
  }
  if (!response.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
