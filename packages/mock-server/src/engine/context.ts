import type { ChatMessage, UserContentPart } from '@threadline/protocol/schemas';
import type { Identity } from '../auth/identity';
import { invalidValue } from '../internal/errors';
import { newFileId } from '../internal/ids';
import {
  decodeBase64,
  extensionForMime,
  isValidMediaType,
  MAX_FILENAME_LENGTH,
  MAX_MEDIA_TYPE_LENGTH,
  mimeFromFilename,
  parseDataUrl,
  sha256Hex,
} from '../internal/media';
import type { ServerState } from '../state';
import type { Attachment, ConversationMessage } from './types';

function partsText(
  content: string | ReadonlyArray<{ type: string; text?: string; refusal?: string }>,
): string {
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) {
    const piece = part.type === 'text' ? part.text : part.type === 'refusal' ? part.refusal : undefined;
    if (piece !== undefined) text = text ? `${text}\n${piece}` : piece;
  }
  return text;
}

interface StoreInput {
  data: Uint8Array;
  mimeType: string;
  filename: string;
  purpose: string;
}

async function storeFile(state: ServerState, identity: Identity, input: StoreInput, created: number) {
  const stored = state.files.put({
    id: newFileId(),
    object: 'file',
    bytes: input.data.byteLength,
    created_at: created,
    filename: input.filename,
    purpose: input.purpose,
    mime_type: input.mimeType,
    owner: identity.owner,
    data: input.data,
    sha256: await sha256Hex(input.data),
  });
  return stored;
}

/** A data URL's media type is sent back as the download's content-type, so it must be a valid one. */
function checkMediaType(mimeType: string, param: string): void {
  if (!isValidMediaType(mimeType)) {
    throw invalidValue(
      param,
      `the data URL's media type must be type/subtype (RFC 7231 token characters, at most ${MAX_MEDIA_TYPE_LENGTH})`,
    );
  }
}

/**
 * Turns one user content part into an attachment, storing inline bytes (image data URLs, file_data,
 * audio) as files the run references. An https image URL is passed by reference.
 */
async function attachmentFor(
  state: ServerState,
  identity: Identity,
  part: UserContentPart,
  param: string,
  created: number,
): Promise<Attachment> {
  if (part.type === 'image_url') {
    const url = part.image_url.url;
    if (/^https?:\/\//i.test(url)) {
      return { kind: 'image', fileId: null, url, filename: null, mimeType: null, bytes: null };
    }
    const parsed = parseDataUrl(url);
    if (!parsed) {
      throw invalidValue(
        `${param}.image_url.url`,
        'image_url.url must be an https: URL or a base64 data: URL',
      );
    }
    checkMediaType(parsed.mimeType, `${param}.image_url.url`);
    const file = await storeFile(
      state,
      identity,
      { ...parsed, filename: `image.${extensionForMime(parsed.mimeType)}`, purpose: 'vision' },
      created,
    );
    return {
      kind: 'image',
      fileId: file.id,
      url: null,
      filename: file.filename,
      mimeType: parsed.mimeType,
      bytes: file.bytes,
    };
  }
  if (part.type === 'file') {
    const { file_id: fileId, file_data: fileData, filename } = part.file;
    if (fileData !== undefined) {
      const parsed = fileData.startsWith('data:')
        ? parseDataUrl(fileData)
        : (() => {
            const data = decodeBase64(fileData);
            return data ? { data, mimeType: mimeFromFilename(filename) } : null;
          })();
      if (!parsed)
        throw invalidValue(`${param}.file.file_data`, 'file_data must be base64 or a base64 data: URL');
      checkMediaType(parsed.mimeType, `${param}.file.file_data`);
      if (filename !== undefined && filename.length > MAX_FILENAME_LENGTH) {
        throw invalidValue(
          `${param}.file.filename`,
          `filename must be at most ${MAX_FILENAME_LENGTH} characters`,
        );
      }
      const name = filename ?? `file.${extensionForMime(parsed.mimeType)}`;
      const file = await storeFile(
        state,
        identity,
        { ...parsed, filename: name, purpose: 'user_data' },
        created,
      );
      return {
        kind: 'file',
        fileId: file.id,
        url: null,
        filename: name,
        mimeType: parsed.mimeType,
        bytes: file.bytes,
      };
    }
    const existing = fileId ? state.files.get(fileId, identity.owner) : undefined;
    if (!existing) throw invalidValue(`${param}.file.file_id`, `file '${fileId}' not found`);
    return {
      kind: 'file',
      fileId: existing.id,
      url: null,
      filename: existing.filename,
      mimeType: existing.mime_type ?? null,
      bytes: existing.bytes,
    };
  }
  if (part.type === 'input_audio') {
    const data = decodeBase64(part.input_audio.data);
    if (!data) throw invalidValue(`${param}.input_audio.data`, 'input_audio.data must be base64');
    const mimeType = part.input_audio.format === 'wav' ? 'audio/wav' : 'audio/mpeg';
    const file = await storeFile(
      state,
      identity,
      { data, mimeType, filename: `audio.${part.input_audio.format}`, purpose: 'user_data' },
      created,
    );
    return {
      kind: 'audio',
      fileId: file.id,
      url: null,
      filename: file.filename,
      mimeType,
      bytes: file.bytes,
    };
  }
  throw invalidValue(param, 'unsupported content part');
}

/** What the conversation is built from: the turn's messages. */
interface ConversationInput {
  readonly messages: readonly ChatMessage[];
}

export interface Conversation {
  messages: ConversationMessage[];
  fileIds: string[];
  /** System and developer message texts, in order. */
  systemTexts: string[];
}

function plain(message: ChatMessage, text: string): ConversationMessage {
  return {
    role: message.role,
    text,
    attachments: [],
    toolCalls: message.role === 'assistant' ? (message.tool_calls ?? []) : [],
    toolCallId: message.role === 'tool' ? message.tool_call_id : null,
    name: message.name ?? null,
  };
}

/**
 * Reduces the request's messages to what the model reads, storing inline bytes as files. Synchronous
 * when no message has non-text parts (the common case): only storing a file needs to await a digest.
 */
export function buildConversation(
  state: ServerState,
  identity: Identity,
  request: ConversationInput,
  created: number,
): Conversation | Promise<Conversation> {
  const hasParts = request.messages.some(
    (m) => m.role === 'user' && typeof m.content !== 'string' && m.content.some((p) => p.type !== 'text'),
  );
  return hasParts ? buildWithAttachments(state, identity, request, created) : buildTextOnly(request);
}

function buildTextOnly(request: ConversationInput): Conversation {
  const messages: ConversationMessage[] = [];
  const systemTexts: string[] = [];
  for (const message of request.messages) {
    const text = message.content == null ? '' : partsText(message.content);
    if (message.role === 'system' || message.role === 'developer') systemTexts.push(text);
    messages.push(plain(message, text));
  }
  return { messages, fileIds: [], systemTexts };
}

async function buildWithAttachments(
  state: ServerState,
  identity: Identity,
  request: ConversationInput,
  created: number,
): Promise<Conversation> {
  const messages: ConversationMessage[] = [];
  // A Set, not includes() on the list: a request may carry hundreds of thousands of parts.
  const fileIds = new Set<string>();
  const systemTexts: string[] = [];
  for (let i = 0; i < request.messages.length; i++) {
    const message = request.messages[i]!;
    if (message.role !== 'user' || typeof message.content === 'string') {
      const text = message.content == null ? '' : partsText(message.content);
      if (message.role === 'system' || message.role === 'developer') systemTexts.push(text);
      messages.push(plain(message, text));
      continue;
    }
    const out = plain(message, partsText(message.content as Array<{ type: string; text?: string }>));
    for (let j = 0; j < message.content.length; j++) {
      const part = message.content[j]!;
      if (part.type === 'text') continue;
      const attachment = await attachmentFor(state, identity, part, `messages[${i}].content[${j}]`, created);
      out.attachments.push(attachment);
      if (attachment.fileId) fileIds.add(attachment.fileId);
    }
    messages.push(out);
  }
  return { messages, fileIds: [...fileIds], systemTexts };
}
