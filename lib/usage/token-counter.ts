/**
 * Token counters for the gateway's own estimates (CONTRACT.md §4): a real BPE tokenizer for OpenAI and Azure
 * models, a documented characters-per-token rule for every other provider.
 *
 * The BPE ranks (several MB of JS) are imported lazily, once per process, so the chat function's cold start never
 * loads them: esbuild turns each `import('gpt-tokenizer/encoding/…')` into its own chunk (infra/bundling.ts).
 * @see https://github.com/niieani/gpt-tokenizer
 */

export interface TokenCounter {
  /** Which rule counts: `o200k_base`, `cl100k_base`, `chars/4` or `chars/3.5`. */
  readonly name: string;
  /** Tokens in `text`: a non-negative integer; bounded work for any length (see {@link EXACT_COUNT_CHARS}). */
  count(text: string): number;
}

/**
 * Texts up to this many UTF-16 code units are counted exactly; longer ones by a stratified sample of this many
 * characters, extrapolated to the whole length. It bounds the BPE work of one count: about 1 ms for English prose
 * and 40–90 ms for CJK text (gpt-tokenizer merges non-Latin text byte by byte, some 2.5 µs per character).
 */
export const EXACT_COUNT_CHARS = 32_768;

/** Evenly spaced windows the sample is made of (each `EXACT_COUNT_CHARS / SAMPLE_WINDOWS` characters long). */
const SAMPLE_WINDOWS = 32;

/**
 * BPE merging is quadratic in the length of one pre-tokenized piece, and a run of CJK text or base64 without
 * whitespace is a single piece (300,000 CJK characters: 4 minutes). Text is therefore counted in slices of at most
 * this many characters, cut before a whitespace run where one is near, so whitespace-separated text counts exactly;
 * a forced cut inside a run costs at most one token.
 */
const MAX_SLICE_CHARS = 512;

/** How far back (or forward) a slice or sample boundary looks for whitespace to cut at. */
const BOUNDARY_SEARCH_CHARS = 64;

/** Special-token text (`<|endoftext|>`) in a prompt is plain text to the model, never a control token or a throw. */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

type CountTokens = (text: string, options: typeof AS_PLAIN_TEXT) => number;
type EncodingName = 'o200k_base' | 'cl100k_base';

/** One load per process and encoding; a failed load is forgotten so a later request retries it. */
const encodings = new Map<EncodingName, Promise<TokenCounter>>();

/**
 * The counter for a routed model. `openai` and `azure` get OpenAI's own tokenizer: `cl100k_base` for GPT-4 (not
 * 4o/4.1/4.5), GPT-3.5 and the older embedding models, `o200k_base` for everything else (GPT-4o, 4.1, 5, o1/o3/o4
 * and later, and Azure deployments whose name says nothing). Every other provider gets {@link charsPerTokenRule}:
 * 3.5 characters per token for Claude models, 4 for the rest. Never rejects: if the tokenizer cannot be loaded,
 * the chars rule counts instead.
 * @see https://github.com/openai/tiktoken/blob/main/tiktoken/model.py
 */
export function tokenCounterFor(provider: string, model: string): Promise<TokenCounter> {
  const encoding = openAiEncodingFor(provider, model);
  const rule = charsPerTokenRule(/claude/i.test(model) || provider === 'anthropic' ? 3.5 : 4);
  if (!encoding) return Promise.resolve(rule);
  let loading = encodings.get(encoding);
  if (!loading) {
    loading = loadEncoding(encoding);
    encodings.set(encoding, loading);
    loading.catch(() => encodings.delete(encoding));
  }
  return loading.catch(() => rule);
}

function openAiEncodingFor(provider: string, model: string): EncodingName | undefined {
  if (provider !== 'openai' && provider !== 'azure') return undefined;
  const name = model.toLowerCase().slice(model.lastIndexOf('/') + 1);
  const cl100k = /^(gpt-4(?![o.\d])|gpt-4-\d|gpt-3\.5|gpt-35|text-embedding-(ada|3-)|(davinci|babbage)-002)/;
  return cl100k.test(name) ? 'cl100k_base' : 'o200k_base';
}

async function loadEncoding(encoding: EncodingName): Promise<TokenCounter> {
  // Literal specifiers, one per encoding, so the bundler can split each into its own lazily loaded chunk.
  const { countTokens } =
    encoding === 'o200k_base'
      ? await import('gpt-tokenizer/encoding/o200k_base')
      : await import('gpt-tokenizer/encoding/cl100k_base');
  return bpeCounter(encoding, countTokens);
}

/** A counter over a BPE `countTokens`: exact up to {@link EXACT_COUNT_CHARS}, a stratified sample beyond. */
export function bpeCounter(name: string, countTokens: CountTokens): TokenCounter {
  const countRange = (text: string, start: number, end: number): number => {
    let tokens = 0;
    while (start < end) {
      const cut = end - start <= MAX_SLICE_CHARS ? end : sliceEnd(text, start, start + MAX_SLICE_CHARS);
      tokens += countTokens(text.slice(start, cut), AS_PLAIN_TEXT);
      start = cut;
    }
    return tokens;
  };
  return {
    name,
    count(text) {
      if (text.length <= EXACT_COUNT_CHARS) return countRange(text, 0, text.length);
      const window = EXACT_COUNT_CHARS / SAMPLE_WINDOWS;
      const stride = (text.length - window) / (SAMPLE_WINDOWS - 1);
      let tokens = 0;
      let sampled = 0;
      for (let i = 0; i < SAMPLE_WINDOWS; i++) {
        const start = nextBoundary(text, Math.floor(i * stride));
        const end = Math.max(start, nextBoundary(text, start + window));
        tokens += countRange(text, start, end);
        sampled += end - start;
      }
      return sampled === 0 ? 0 : Math.round((tokens * text.length) / sampled);
    },
  };
}

/**
 * Where a slice from `start` that may not pass `limit` ends: before the whitespace run nearest `limit` that begins
 * with a space. Only a space is a safe cut: the pre-tokenizers let punctuation take the newlines after it (`.\n` is
 * one piece), but no piece ends in a space that is followed by more text.
 */
function sliceEnd(text: string, start: number, limit: number): number {
  for (let i = limit; i > start && i > limit - BOUNDARY_SEARCH_CHARS; i--) {
    if (!isWhitespace(text.charCodeAt(i))) continue;
    while (i - 1 > start && isWhitespace(text.charCodeAt(i - 1))) i--;
    if (text.charCodeAt(i) === 0x20) return i;
  }
  return isLowSurrogate(text.charCodeAt(limit)) ? limit - 1 : limit;
}

/** The start of the next whitespace run at or shortly after `index` (a sample boundary), or `index` itself. */
function nextBoundary(text: string, index: number): number {
  if (index >= text.length) return text.length;
  const limit = Math.min(text.length, index + BOUNDARY_SEARCH_CHARS);
  for (let i = index; i < limit; i++) {
    if (isWhitespace(text.charCodeAt(i)) && (i === 0 || !isWhitespace(text.charCodeAt(i - 1)))) return i;
  }
  return isLowSurrogate(text.charCodeAt(index)) ? index + 1 : index;
}

const isWhitespace = (code: number): boolean => code === 0x20 || (code >= 0x09 && code <= 0x0d);
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * The rule for providers whose tokenizer the gateway does not ship: Latin-script characters (U+0000–U+036F, the
 * Latin Extended Additional block, general punctuation) at `charsPerToken` each, rounded up; every other character
 * (CJK, kana, Hangul, Cyrillic, Greek, Arabic, Indic, emoji: one per code point) as one token.
 *
 * Typical error: English prose and code within ±15–25% of the provider's own count (Gemini documents about 4
 * characters per token, Anthropic about 3.5 for Claude; code and JSON run denser, so those are underestimated by up to
 * ~25%). CJK within ~±30% (modern tokenizers give 0.7–1.5 tokens per character). Cyrillic, Greek and Arabic are
 * overestimated about 2× (2–3 characters per token in practice): on the safe side for budgets.
 * @see https://ai.google.dev/gemini-api/docs/tokens
 * @see https://docs.anthropic.com/en/docs/about-claude/glossary#tokens
 */
export function charsPerTokenRule(charsPerToken: number): TokenCounter {
  return {
    name: `chars/${charsPerToken}`,
    count(text) {
      let latin = 0;
      let other = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code < 0x0370 || (code >= 0x1e00 && code <= 0x1eff) || (code >= 0x2000 && code <= 0x206f)) latin++;
        else if (!isLowSurrogate(code)) other++;
      }
      return Math.ceil(latin / charsPerToken) + other;
    },
  };
}
