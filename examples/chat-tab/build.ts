import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The browser bundle of the tab (React, useChat and the app), as one minified ES module. */
export async function bundleApp(): Promise<string> {
  const result = await build({
    entryPoints: [here('./app.tsx')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    // React's production build: the development one is large and warns in the console.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

// `node examples/chat-tab/build.ts` writes dist/app.js, which server.ts serves.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const script = await bundleApp();
  await mkdir(here('./dist'), { recursive: true });
  await writeFile(here('./dist/app.js'), script);
  console.log(`wrote examples/chat-tab/dist/app.js (${Math.round(script.length / 1024)} KiB)`);
}
