import { z } from 'zod';

export const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });

export const imageUrlPartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({
    url: z.string().min(1),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});

export const filePartSchema = z.object({
  type: z.literal('file'),
  file: z
    .object({
      filename: z.string().optional(),
      file_data: z.string().optional(),
      file_id: z.string().optional(),
    })
    .refine((f) => f.file_data !== undefined || f.file_id !== undefined, {
      message: 'a file part needs file_data or file_id',
    }),
});

export const inputAudioPartSchema = z.object({
  type: z.literal('input_audio'),
  input_audio: z.object({ data: z.string(), format: z.enum(['wav', 'mp3']) }),
});

export const refusalPartSchema = z.object({ type: z.literal('refusal'), refusal: z.string() });

export const userContentPartSchema = z.discriminatedUnion('type', [
  textPartSchema,
  imageUrlPartSchema,
  filePartSchema,
  inputAudioPartSchema,
]);

export const toolCallSchema = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const textContent = z.union([z.string(), z.array(textPartSchema)]);

export const systemMessageSchema = z.object({
  role: z.literal('system'),
  content: textContent,
  name: z.string().optional(),
});

export const developerMessageSchema = z.object({
  role: z.literal('developer'),
  content: textContent,
  name: z.string().optional(),
});

export const userMessageSchema = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userContentPartSchema)]),
  name: z.string().optional(),
});

export const assistantMessageSchema = z.object({
  role: z.literal('assistant'),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [textPartSchema, refusalPartSchema]))])
    .nullish(),
  refusal: z.string().nullish(),
  name: z.string().optional(),
  tool_calls: z.array(toolCallSchema).optional(),
});

export const toolMessageSchema = z.object({
  role: z.literal('tool'),
  content: textContent,
  tool_call_id: z.string().min(1),
  name: z.string().optional(),
});

export const messageSchema = z.discriminatedUnion('role', [
  systemMessageSchema,
  developerMessageSchema,
  userMessageSchema,
  assistantMessageSchema,
  toolMessageSchema,
]);

export type TextPart = z.infer<typeof textPartSchema>;
export type ImageUrlPart = z.infer<typeof imageUrlPartSchema>;
export type FilePart = z.infer<typeof filePartSchema>;
export type InputAudioPart = z.infer<typeof inputAudioPartSchema>;
export type UserContentPart = z.infer<typeof userContentPartSchema>;
export type ToolCall = z.infer<typeof toolCallSchema>;
export type SystemMessage = z.infer<typeof systemMessageSchema>;
export type DeveloperMessage = z.infer<typeof developerMessageSchema>;
export type UserMessage = z.infer<typeof userMessageSchema>;
export type AssistantMessage = z.infer<typeof assistantMessageSchema>;
export type ToolMessage = z.infer<typeof toolMessageSchema>;
export type ChatMessage = z.infer<typeof messageSchema>;
export type MessageRole = ChatMessage['role'];
