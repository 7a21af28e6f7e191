// Bundles tests/sdk-page (the unmodified amazon-chime-sdk-js plus a small driver) into a folder
// the MediCall server can serve with --web-dir, so the page and /join share one origin.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pageDir = path.join(here, '..', 'sdk-page');

export async function buildSdkPage(outDir = path.join(here, '..', 'artifacts', 'sdk-page')) {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(pageDir, 'page.js')],
    bundle: true,
    outfile: path.join(outDir, 'page.js'),
    platform: 'browser',
    mainFields: ['browser', 'module', 'main'],
    define: { global: 'window' },
    format: 'iife',
    logLevel: 'error',
  });
  await copyFile(path.join(pageDir, 'index.html'), path.join(outDir, 'index.html'));
  return outDir;
}
