import { DEFAULT_USER_ID, ERROR_CODES } from '@threadline/protocol';
import type { AgentConfig, ResolvedConfig } from '../config';
import type { FaultSet } from '../faults/parse';
import { HttpError, invalidValue } from '../internal/errors';
import { CALLER_ID_RULE, isCallerId } from '../internal/ids';
import type { InboundRequest } from '../internal/wire';
import { type OwnerPrincipal, ownerKey } from './owners';

/** Who presented which credentials, before the agent of a tenant-admin call is known. */
export interface Principal {
  kind: 'anonymous' | 'api-key' | 'agent' | 'tenant-admin';
  /** The API key (api-key mode). */
  key: string | null;
  tenant: string | null;
  /** The agent an agent token names. */
  agent: AgentConfig | null;
}

/** Who a request acts as. `owner` keys everything it stores (files, runs); see `ownerKey`. */
export interface Identity {
  kind: Principal['kind'];
  tenant: string | null;
  agent: AgentConfig | null;
  /** The memory user: the dialect's user header, or `default-user`. */
  userId: string;
  owner: string;
}

const ANONYMOUS: Principal = { kind: 'anonymous', key: null, tenant: null, agent: null };

function bearer(request: InboundRequest): string | null {
  const header = request.header('authorization');
  if (header === null) return null;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

const missingCredentials = () =>
  new HttpError({
    status: 401,
    code: ERROR_CODES.missingCredentials,
    message: 'Missing credentials: send Authorization: Bearer <key>.',
  });

const invalidKey = (what: string) =>
  new HttpError({ status: 401, code: ERROR_CODES.invalidApiKey, message: `Invalid ${what} provided.` });

/** The tenant a request's agent or tenant-admin token belongs to, else null; never throws (journal). */
export function requestTenant(config: ResolvedConfig, request: InboundRequest): string | null {
  if (config.auth.mode !== 'agent-token') return null;
  const token = bearer(request);
  if (token === null) return null;
  return config.auth.agentTokens.get(token)?.tenant ?? config.auth.adminTokens.get(token)?.tenant ?? null;
}

/**
 * Checks the credentials a request carries; throws 401 when the auth mode rejects them. The
 * accept-any-key fault lets any API key in (a missing one is still refused).
 */
export function authenticate(config: ResolvedConfig, request: InboundRequest, faults?: FaultSet): Principal {
  const { auth } = config;
  if (auth.mode === 'none') return ANONYMOUS;
  const token = bearer(request);
  if (token === null) throw missingCredentials();
  if (auth.mode === 'api-key') {
    if (auth.apiKeys !== null && !auth.apiKeys.has(token) && !faults?.acceptAnyKey)
      throw invalidKey('API key');
    return { kind: 'api-key', key: token, tenant: null, agent: null };
  }
  const agentToken = auth.agentTokens.get(token);
  if (agentToken) {
    const agent = auth.agents.find((a) => a.id === agentToken.agent && a.tenant === agentToken.tenant) ?? {
      id: agentToken.agent,
      tenant: agentToken.tenant,
    };
    return { kind: 'agent', key: null, tenant: agentToken.tenant, agent };
  }
  const admin = auth.adminTokens.get(token);
  if (admin) return { kind: 'tenant-admin', key: null, tenant: admin.tenant, agent: null };
  throw invalidKey('token');
}

/**
 * Turns a principal into the identity a call acts as. A tenant-admin token must name an agent of its
 * tenant by the agent header (`IC-Smith-Id: smt_…`) or the body's `user` field (the agent's external id);
 * with `requireAgent` false (model listing) it may name none.
 */
export function resolveIdentity(
  config: ResolvedConfig,
  principal: Principal,
  request: InboundRequest,
  options: { user?: string | null; requireAgent: boolean },
): Identity {
  const { dialect } = config;
  const userHeader = dialect.memory.userHeader;
  const sent = userHeader ? request.header(userHeader) : null;
  // Owner keys encode every part, so this rule keeps ids readable rather than keeping owners apart.
  if (sent && !isCallerId(sent)) {
    throw invalidValue(
      userHeader!,
      `${userHeader} must be ${CALLER_ID_RULE}, got ${JSON.stringify(sent.slice(0, 80))}.`,
    );
  }
  const userId = sent || dialect.memory.defaultUserId || DEFAULT_USER_ID;
  let agent = principal.agent;
  if (principal.kind === 'tenant-admin') {
    agent = findAdminAgent(config, principal.tenant!, request, options.user ?? null);
    if (agent === null && options.requireAgent) {
      const ways = [
        dialect.identity.userFieldNamesAgent ? "the request's user field (the agent's external id)" : null,
        dialect.identity.agentHeader ? `the ${dialect.identity.agentHeader} header (the agent's id)` : null,
      ].filter(Boolean);
      throw new HttpError({
        status: 400,
        code: ERROR_CODES.smithUnresolved,
        param: dialect.identity.userFieldNamesAgent ? 'user' : null,
        message: `A tenant-admin token must name an agent of its tenant${ways.length ? ` through ${ways.join(' or ')}` : ''}.`,
      });
    }
  }
  const owner: OwnerPrincipal =
    agent !== null
      ? { kind: 'agent', tenant: agent.tenant, agent: agent.id }
      : principal.kind === 'api-key'
        ? { kind: 'api-key', keyId: config.auth.keyIds.id(principal.key!) }
        : principal.kind === 'tenant-admin'
          ? { kind: 'tenant', tenant: principal.tenant! }
          : { kind: 'anonymous' };
  return {
    kind: principal.kind,
    tenant: principal.tenant,
    agent,
    userId,
    owner: ownerKey(owner, userId),
  };
}

function findAdminAgent(
  config: ResolvedConfig,
  tenant: string,
  request: InboundRequest,
  user: string | null,
): AgentConfig | null {
  const { agents } = config.auth;
  const { agentHeader, userFieldNamesAgent } = config.dialect.identity;
  const byHeader = agentHeader ? request.header(agentHeader) : null;
  if (byHeader) return agents.find((a) => a.tenant === tenant && a.id === byHeader) ?? null;
  if (user && userFieldNamesAgent) {
    return agents.find((a) => a.tenant === tenant && (a.externalId === user || a.id === user)) ?? null;
  }
  return null;
}
