/**
 * The Anthropic provider: Claude through the Messages API with the official `@anthropic-ai/sdk`. The SDK and the
 * client module around it are imported only when a client is first built (DESIGN.md §2: cold starts stay short).
 * @see https://docs.anthropic.com/en/api/messages
 */
import * as z from 'zod';
import type { ProviderFactory } from '../../core/types.js';
import type { AnthropicCredential } from './client.js';
import { AnthropicChatModel } from './model.js';

const credentialSchema = z.object({
  api_key: z.string().min(1),
  base_url: z.url({ protocol: /^https?$/ }).optional(),
});

export const anthropicFactory: ProviderFactory<AnthropicCredential> = {
  type: 'anthropic',
  credentialSchema,
  async create(credential, options) {
    const { createTransport, strictSchema } = await import('./client.js');
    return new AnthropicChatModel(await createTransport(credential), options.providerName, { strictSchema });
  },
};
