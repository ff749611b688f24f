import { DIALECT_NAMES, type Dialect, getDialect } from '@threadline/protocol';
import { z } from 'zod';
import { KeyIds } from './auth/owners';
import { type FaultSet, parseFaultSpec } from './faults/parse';
import { fixtureSchema, type ParsedFixture } from './model/fixture-schema';
import { STORE_NAMES, type StoreName } from './state/limits';
import { serverToolSchema } from './tools/schema';

export const DEFAULT_MODELS = ['threadline-mini', 'threadline-large'] as const;
export const DEFAULT_INSTRUCTIONS =
  'You are the Threadline reference model: deterministic, brief and literal.';
export const DEFAULT_ENGINE = 'Threadline reference server';

const agentSchema = z.strictObject({
  /** The agent's id (`smt_…` in the Ingram Cloud dialect), as `IC-Smith-Id` names it. */
  id: z.string().min(1),
  /** Your own id for the agent: a tenant-admin call may name it in the request's `user` field. */
  externalId: z.string().min(1).optional(),
  tenant: z.string().min(1),
  /** Base instructions; a request's system messages are appended to them. */
  instructions: z.string().optional(),
  /** The agent's model, used when a request sends `model: ""` or none. */
  model: z.string().min(1).optional(),
});

const authSchema = z.strictObject({
  /**
   * Default: `agent-token` when agent or admin tokens are configured, `api-key` when API keys are,
   * else the dialect's scheme (`none` for threadline and ice).
   */
  mode: z.enum(['none', 'api-key', 'agent-token']).optional(),
  /** api-key mode: the accepted keys. Absent: any non-empty bearer key is accepted. */
  apiKeys: z.array(z.string().min(1)).optional(),
  /** agent-token mode: tokens whose subject is `<tenant>:<agent>`. */
  agentTokens: z
    .array(z.strictObject({ token: z.string().min(1), tenant: z.string().min(1), agent: z.string().min(1) }))
    .optional(),
  /** agent-token mode: tenant-admin tokens; the call names the agent (`user` field or agent header). */
  adminTokens: z.array(z.strictObject({ token: z.string().min(1), tenant: z.string().min(1) })).optional(),
  agents: z.array(agentSchema).optional(),
});

const storeCapSchema = z.strictObject({
  maxCount: z.number().int().min(1).optional(),
  maxBytes: z.number().int().min(1).optional(),
});

const faultSpec = z.string().superRefine((spec, ctx) => {
  try {
    parseFaultSpec(spec);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const mockServerConfigSchema = z.strictObject({
  /** Model ids served by GET /v1/models; default `threadline-mini`, `threadline-large`. */
  models: z.array(z.string().min(1)).min(1).optional(),
  /** The model for `model: ""` or none; default the first of `models`. */
  defaultModel: z.string().min(1).optional(),
  dialect: z.enum(DIALECT_NAMES).optional(),
  /** Base instructions when no agent supplies its own. */
  instructions: z.string().optional(),
  /** The `engine` field of GET /health. */
  engine: z.string().min(1).optional(),
  auth: authSchema.optional(),
  fixtures: z.array(fixtureSchema).optional(),
  /** A fault spec applied to every request (see docs/mock-server.md). */
  faults: faultSpec.optional(),
  /** Pause between stream frames, in milliseconds. */
  chunkDelayMs: z.number().int().min(0).max(60_000).optional(),
  /** Directory `POST /v1/ingest?file_path=` reads from; default env ICE_UPLOAD_DIR, else the demo folder. */
  uploadDir: z.string().optional(),
  /** `s3://NAME/…` and `gs://NAME/…` ingest from these local folders (bucket name → directory). */
  buckets: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a bucket name is lower-case letters, digits, . _ -'),
      z.string().min(1),
    )
    .optional(),
  /** Server-run tools (docs/server-state.md). Absent: the demo tools; `[]`: none. */
  serverTools: z.array(serverToolSchema).optional(),
  /** SQLite file (node:sqlite) keeping memory, documents, files, runs and approvals across restarts. */
  db: z.string().min(1).optional(),
  /** Control routes under /__threadline; default on. */
  control: z.boolean().optional(),
  /** Bearer token for control routes when auth is on (tenant-admin tokens are accepted too). */
  controlToken: z.string().min(1).optional(),
  /**
   * Which faults a request's own `x-threadline-fault` header may ask for: `safe` (default) all but those
   * that lift the separation between callers or raise the body limit; `all` (a suite faulting itself).
   */
  headerFaults: z.enum(['safe', 'all']).optional(),
  /** Caps of the in-memory stores, per store (docs/mock-server.md, Limits and safety). */
  storeLimits: z
    .strictObject(
      Object.fromEntries(STORE_NAMES.map((name) => [name, storeCapSchema.optional()])) as Record<
        StoreName,
        z.ZodOptional<typeof storeCapSchema>
      >,
    )
    .optional(),
});

/** Everything is optional: `createMockServer()` with no config serves the defaults. */
export type MockServerConfig = z.input<typeof mockServerConfigSchema>;
export type AgentConfig = z.output<typeof agentSchema>;
export type AuthMode = 'none' | 'api-key' | 'agent-token';

export interface ResolvedAuth {
  mode: AuthMode;
  apiKeys: ReadonlySet<string> | null;
  agentTokens: ReadonlyMap<string, { tenant: string; agent: string }>;
  adminTokens: ReadonlyMap<string, { tenant: string }>;
  agents: readonly AgentConfig[];
  /** Derives the id an API key's owners carry (never the key); `db` swaps in the file's secret. */
  keyIds: KeyIds;
}

/** The config after validation and defaults; what the server runs on. */
export interface ResolvedConfig {
  models: readonly string[];
  defaultModel: string;
  dialect: Dialect;
  instructions: string;
  engine: string;
  auth: ResolvedAuth;
  fixtures: readonly ParsedFixture[];
  faultSpec: string;
  faults: FaultSet;
  chunkDelayMs: number;
  headerFaults: 'safe' | 'all';
  /** The validated input, for plugins reading their own fields. */
  input: z.output<typeof mockServerConfigSchema>;
}

export class ConfigError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Formats zod issues as `path: message` lines. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** The explicit mode; else the one the configured credentials imply; else the dialect's. */
function authMode(auth: z.output<typeof authSchema> | undefined, dialectDefault: AuthMode): AuthMode {
  if (auth?.mode) return auth.mode;
  if (auth?.agentTokens?.length || auth?.adminTokens?.length) return 'agent-token';
  if (auth?.apiKeys?.length) return 'api-key';
  return dialectDefault;
}

/**
 * One token, one principal: a token listed twice (say an agent token that is also the control token)
 * would act as whichever the server happened to check first, and an agent in `agents` listed twice
 * would hide the second's instructions.
 */
function checkTokensUnique(input: z.output<typeof mockServerConfigSchema>): void {
  const seen = new Map<string, string>();
  const claim = (token: string, where: string) => {
    const first = seen.get(token);
    if (first !== undefined) {
      throw new ConfigError(`invalid mock server config: ${where} repeats the token of ${first}`);
    }
    seen.set(token, where);
  };
  const auth = input.auth;
  for (const [i, key] of (auth?.apiKeys ?? []).entries()) claim(key, `auth.apiKeys.${i}`);
  for (const [i, { token }] of (auth?.agentTokens ?? []).entries()) claim(token, `auth.agentTokens.${i}`);
  for (const [i, { token }] of (auth?.adminTokens ?? []).entries()) claim(token, `auth.adminTokens.${i}`);
  if (input.controlToken !== undefined) claim(input.controlToken, 'controlToken');
  const agents = new Map<string, number>();
  auth?.agents?.forEach((agent, i) => {
    // JSON of the pair: tenant and id are joined without any separator a name could hold.
    const id = JSON.stringify([agent.tenant, agent.id]);
    const first = agents.get(id);
    if (first !== undefined) {
      throw new ConfigError(
        `invalid mock server config: auth.agents.${i} repeats agent '${agent.id}' of tenant '${agent.tenant}' (auth.agents.${first})`,
      );
    }
    agents.set(id, i);
  });
}

/** Validates a config and fills in defaults; throws a `ConfigError` saying what is wrong. */
export function resolveConfig(config: MockServerConfig = {}): ResolvedConfig {
  const parsed = mockServerConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError(`invalid mock server config: ${describeIssues(parsed.error)}`);
  const input = parsed.data;
  checkTokensUnique(input);
  const models = [...(input.models ?? DEFAULT_MODELS)];
  const defaultModel = input.defaultModel ?? models[0]!;
  if (!models.includes(defaultModel)) models.unshift(defaultModel);
  const agents = input.auth?.agents ?? [];
  for (const agent of agents) if (agent.model && !models.includes(agent.model)) models.push(agent.model);
  const dialect = getDialect(input.dialect ?? 'threadline');
  const faultSpecText = input.faults ?? '';
  return {
    models,
    defaultModel,
    dialect,
    instructions: input.instructions ?? DEFAULT_INSTRUCTIONS,
    engine: input.engine ?? DEFAULT_ENGINE,
    auth: {
      mode: authMode(input.auth, dialect.auth),
      apiKeys: input.auth?.apiKeys ? new Set(input.auth.apiKeys) : null,
      agentTokens: new Map((input.auth?.agentTokens ?? []).map(({ token, ...rest }) => [token, rest])),
      adminTokens: new Map((input.auth?.adminTokens ?? []).map(({ token, ...rest }) => [token, rest])),
      agents,
      keyIds: new KeyIds(),
    },
    fixtures: input.fixtures ?? [],
    faultSpec: faultSpecText,
    faults: parseFaultSpec(faultSpecText),
    chunkDelayMs: input.chunkDelayMs ?? 0,
    headerFaults: input.headerFaults ?? 'safe',
    input,
  };
}
