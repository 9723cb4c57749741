// Well-known locations in the repository.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const distDir = process.env.IBANK_DIST || path.join(repoRoot, 'build', 'dist');
