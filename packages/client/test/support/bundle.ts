import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * A file of test/fixtures bundled with the client from its sources, so no prior build is needed.
 * `neutral` by default: the fixture may rely on web-standard globals only.
 */
export async function bundleFixture(
  name: string,
  options: Pick<BuildOptions, 'format' | 'globalName' | 'platform'>,
): Promise<string> {
  const result = await build({
    entryPoints: [here(`../fixtures/${name}`)],
    bundle: true,
    write: false,
    platform: 'neutral',
    target: 'es2022',
    alias: {
      '@threadline/client': here('../../src/index.ts'),
      '@threadline/protocol': here('../../../protocol/src/index.ts'),
    },
    logLevel: 'silent',
    ...options,
  });
  return result.outputFiles[0]!.text;
}
