/** Where the tab keeps its session id, so memory survives a reload. */
const KEY = 'threadline-chat-tab.session';

/** The session id the server's memory is keyed by: made once per browser profile, then reused. */
export function sessionId(): string {
  const kept = localStorage.getItem(KEY);
  if (kept) return kept;
  const made = `tab-${crypto.randomUUID()}`;
  localStorage.setItem(KEY, made);
  return made;
}

/** Drops the kept id: the next load starts a session with no memory. */
export function forgetSession(): void {
  localStorage.removeItem(KEY);
}
