/**
 * Amazon Bedrock through the Converse API: every model family that takes messages (Anthropic Claude, Meta Llama,
 * Amazon Titan and Nova, Mistral, Cohere, AI21) and cross-region inference profiles, with one converter set.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/conversation-inference.html
 */
import { badRequest } from '../../core/errors.js';
import type { ProviderFactory } from '../../core/types.js';
import { createClient, loadBedrockSdk } from './client.js';
import { type BedrockCredential, bedrockCredentialSchema } from './credentials.js';
import { BedrockChatModel } from './model.js';

export type { BedrockCredential } from './credentials.js';

/** Re-checks a credential that did not come through the admin API (gateway defaults): 400 naming the field. */
function checkCredential(credential: BedrockCredential): BedrockCredential {
  const parsed = bedrockCredentialSchema.safeParse(credential);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || null;
  throw badRequest(`Invalid bedrock credential: ${issue?.message ?? 'bad shape'}`, field, 'invalid_credential');
}

export const bedrockFactory: ProviderFactory<BedrockCredential> = {
  type: 'bedrock',
  credentialSchema: bedrockCredentialSchema,
  embeddings: true,
  async create(credential) {
    const checked = checkCredential(credential);
    const [client, sdk] = await Promise.all([createClient(checked), loadBedrockSdk()]);
    return new BedrockChatModel(client, sdk);
  },
};
