import type { RunRecord } from '@threadline/protocol';
import { mergeOptions, type RequestOptions } from '../core/options';
import { readJSON, request } from '../core/request';
import { segment } from '../core/url';
import type { ClientContext } from './chat';

export class Runs {
  constructor(private readonly client: ClientContext) {}

  /** `GET /v1/runs/{id}`: how a turn ended — reconcile a dropped stream with it. */
  async retrieve(id: string, options?: RequestOptions): Promise<RunRecord> {
    return request(mergeOptions(this.client.options, options), {
      method: 'GET',
      path: `/v1/runs/${segment(id)}`,
      read: readJSON<RunRecord>,
    });
  }
}
