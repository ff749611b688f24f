import type { Health, ModelList } from '@threadline/protocol';
import { mergeOptions, type RequestOptions } from '../core/options';
import { readJSON, request } from '../core/request';
import type { ClientContext } from './chat';

export class Models {
  constructor(private readonly client: ClientContext) {}

  /** `GET /v1/models`. */
  list(options?: RequestOptions): Promise<ModelList> {
    return request(mergeOptions(this.client.options, options), {
      method: 'GET',
      path: '/v1/models',
      read: readJSON<ModelList>,
    });
  }
}

/** `GET /health` (at the server root, not under /v1). */
export function getHealth(client: ClientContext, options?: RequestOptions): Promise<Health> {
  return request(mergeOptions(client.options, options), {
    method: 'GET',
    path: '/health',
    read: readJSON<Health>,
  });
}
