import { describe, expect, it } from 'vitest';
import { formatApprovalId, isApprovalId, parseApprovalDecision, parseApprovalId } from '../src/index';

describe('approval ids', () => {
  it('formats and parses <run_id>::<tool_call_id>', () => {
    const id = formatApprovalId({ runId: 'run_abc', toolCallId: 'tc_1' });
    expect(id).toBe('run_abc::tc_1');
    expect(parseApprovalId(id)).toEqual({ runId: 'run_abc', toolCallId: 'tc_1' });
    expect(isApprovalId(id)).toBe(true);
  });

  it('rejects what is not an approval id', () => {
    for (const value of ['call_1', 'run_abc::', '::tc_1', 'run_a::b::c', 'job_1::tc_1', 'run_a b::tc', '']) {
      expect(parseApprovalId(value)).toBeNull();
    }
  });

  it('refuses to format a part that would not round-trip', () => {
    expect(() => formatApprovalId({ runId: 'abc', toolCallId: 'tc_1' })).toThrow(TypeError);
    expect(() => formatApprovalId({ runId: 'run_a', toolCallId: 'x::y' })).toThrow(/tool call id/);
  });

  it('reads decisions leniently about case and space, strictly about words', () => {
    expect(parseApprovalDecision(' Approve\n')).toBe('approve');
    expect(parseApprovalDecision('reject')).toBe('reject');
    expect(parseApprovalDecision('yes')).toBeNull();
  });
});
