/** The conformance suite's public surface; filled in by the runner, checks and reporters. */
export const CONFORMANCE_VERSION = '0.1.0';
