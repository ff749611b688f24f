import type { IngestResponse } from '@threadline/protocol';
import { ThreadlineChat } from './client';
import type { RequestOptions } from './core/options';
import { type Approvals, approvals, ResumableChatCompletions } from './resources/approvals';
import { Files } from './resources/files';
import { type IngestParams, ingest } from './resources/ingest';
import { ResumableResponses } from './resources/responses-resume';
import { Runs } from './resources/runs';

/**
 * The full client: chat and responses (each with `resume` after approval pauses), models, health,
 * ingest, files, runs and approval helpers. Chat-only programs can use `ThreadlineChat` for a smaller bundle.
 */
export class Threadline extends ThreadlineChat {
  declare readonly chat: { readonly completions: ResumableChatCompletions };
  readonly responses: ResumableResponses;
  readonly runs: Runs;
  readonly files: Files;
  readonly approvals: Approvals = approvals;

  constructor(options?: ConstructorParameters<typeof ThreadlineChat>[0]) {
    super(options);
    this.responses = new ResumableResponses(this);
    this.runs = new Runs(this);
    this.files = new Files(this);
  }

  /**
   * `POST /v1/ingest` into the session (or thread) the options name: `{ filePath }` on the server,
   * `{ uri: 's3://…' | 'gs://…' }`, or `{ file, filename }` uploaded from here.
   */
  ingest(params: IngestParams, options?: RequestOptions): Promise<IngestResponse> {
    return ingest(this, params, options);
  }

  protected override makeCompletions(): ResumableChatCompletions {
    return new ResumableChatCompletions(this);
  }
}
