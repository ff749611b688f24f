// Only `version` is bundled, not the rest of the manifest; it follows every `changeset version`.
import { version } from '../package.json';

export const VERSION: string = version;
