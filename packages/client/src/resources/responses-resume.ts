import type { InputItem, McpApprovalResponseInput, ResponseResource } from '@threadline/protocol';
import { mergeOptions, type RequestOptions } from '../core/options';
import type { ResponseObject, ResponseStream } from '../core/response-stream';
import { checkDecisions, type Decision } from './approvals';
import { createResponse, type ResponseCreateParams, Responses } from './responses';
import { connectResponses, type ResponsesSocket } from './responses-socket';

export type ResponseResumeParams = ResponseCreateParams & {
  /**
   * The paused response (or a stream's finalResponse()). When neither `input` nor
   * `previous_response_id` is given (and no thread is in scope), the resume continues it by id.
   */
  response?: ResponseResource;
  /** `approvals.approve(p, reason?)` / `approvals.reject(p, reason?)` for each pause, from either door. */
  decisions: Decision[];
};

/** The `mcp_approval_response` items for decisions (checked before anything is sent). */
export function approvalResponses(decisions: Decision[]): McpApprovalResponseInput[] {
  return checkDecisions(decisions, false).map((d) => {
    const item: McpApprovalResponseInput = {
      type: 'mcp_approval_response',
      approval_request_id: d.id,
      approve: d.approve,
    };
    if (d.reason !== undefined) item.reason = d.reason;
    return item;
  });
}

/** Responses plus `resume`, the way back from an approval pause on this door. */
export class ResumableResponses extends Responses {
  /**
   * Sends the decisions as `mcp_approval_response` items after `input` (a pause raised on chat can be
   * decided here too: it is one run). Approve runs the tool (an `mcp_call` item follows) and continues;
   * reject runs nothing and the run ends `approval_rejected`.
   */
  resume(params: ResponseResumeParams & { stream: true }, options?: RequestOptions): Promise<ResponseStream>;
  resume(
    params: ResponseResumeParams & { stream?: false | null },
    options?: RequestOptions,
  ): Promise<ResponseObject>;
  resume(params: ResponseResumeParams, options?: RequestOptions): Promise<ResponseObject | ResponseStream>;
  async resume(params: ResponseResumeParams, options?: RequestOptions) {
    const { response, decisions, ...rest } = params;
    const items = approvalResponses(decisions);
    const before: InputItem[] =
      rest.input == null
        ? []
        : typeof rest.input === 'string'
          ? [{ role: 'user', content: rest.input }]
          : rest.input;
    const body: ResponseCreateParams = { ...rest, input: [...before, ...items] };
    const onThread = mergeOptions(this.client.options, options).threadId != null;
    if (response && rest.input == null && rest.previous_response_id == null && !onThread) {
      body.previous_response_id = response.id;
    }
    return createResponse(this.client, body, options);
  }

  /**
   * Opens WebSocket mode: a session whose `create()` turns run in order over one socket, each a typed
   * event stream. Needs a global `WebSocket` (Node 22+, Bun, browsers; a browser cannot send the key).
   */
  connect(options?: RequestOptions): Promise<ResponsesSocket> {
    return connectResponses(this.client, options);
  }
}
