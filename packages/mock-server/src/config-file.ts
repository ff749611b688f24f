import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type MockServerConfig } from './config';
import { parseBoundedJson } from './internal/json';

/**
 * Reads a config file: JSON for `.json`, YAML otherwise (YAML is a superset of JSON). Validation
 * happens when the server is created; this only turns the file into a value.
 */
export async function loadConfigFile(path: string): Promise<MockServerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = path.toLowerCase().endsWith('.json') ? parseBoundedJson(text, 'The file') : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} does not parse: ${(error as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`config file ${path} must hold an object (a mapping of settings)`);
  }
  return value as MockServerConfig;
}
