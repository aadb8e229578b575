/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`): one GatewayStack, checked by cdk-nag's AWS Solutions rules.
 * @see https://docs.aws.amazon.com/cdk/v2/guide/apps.html
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from './config.js';
import { GatewayStack } from './gateway-stack.js';

const app = new App();
const config = configFromContext(app.node);
new GatewayStack(app, config.stackName, {
  config,
  description: 'LLM gateway: one OpenAI-compatible endpoint in front of many providers',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
