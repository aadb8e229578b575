/**
 * The Anthropic provider: Claude through the Messages API with the official `@anthropic-ai/sdk`. The SDK and the
 * client module around it are imported only when a client is first built (DESIGN.md §2: cold starts stay short).
 * @see https://docs.anthropic.com/en/api/messages
 */
import type { ProviderFactory } from '../../core/types.js';
import { type AnthropicCredential, anthropicCredentialSchema } from './credentials.js';
import { AnthropicChatModel } from './model.js';

export type { AnthropicCredential } from './credentials.js';

export const anthropicFactory: ProviderFactory<AnthropicCredential> = {
  type: 'anthropic',
  credentialSchema: anthropicCredentialSchema,
  async create(credential, options) {
    const { createClient, strictSchema } = await import('./client.js');
    return new AnthropicChatModel(await createClient(credential), options.providerName, { strictSchema });
  },
};
