export { renderCheckTable, replaceCheckTable } from './catalogue-table';
export { CATALOGUE, CHECKS } from './checks/index';
export { type ConfigFile, loadConfigFile, parseConfigFile } from './config';
export { maskHeaders, toCurl } from './internal/curl';
export { CheckBlocked, CheckFailure, CheckSkipped } from './internal/expect';
export { PROFILES, type Profile, profileFor } from './profiles';
export { renderJson } from './reporters/json';
export { renderJunit } from './reporters/junit';
export { renderPretty } from './reporters/pretty';
export { applyBaseline, loadBaseline, parseBaseline } from './runner/baseline';
export { ConformanceConfigError, ServerUnreachableError } from './runner/errors';
export { type ConformanceOptions, runConformance, summarize } from './runner/run';
export { matchesFilter, type Shard, selectShard } from './runner/select';
export {
  CAPABILITIES,
  type Capability,
  type Check,
  type CheckMeta,
  type CheckResult,
  type CheckStatus,
  type ConformanceReport,
  FAMILIES,
  type Family,
  type Fixtures,
  type Level,
  type ModelSource,
  type RecordedRequest,
  SECTIONS,
  type Section,
  type Summary,
} from './runner/types';
