// Screenshots and other evidence go into the git-ignored artifacts/ folder at the repository
// root (artifacts/e2e/<name>.png), so a failed CI run can be inspected afterwards.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.mjs';

export const artifactsDir = path.join(repoRoot, 'artifacts', 'e2e');

export function artifactPath(name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  return path.join(artifactsDir, name.replace(/[^\w.-]+/g, '_'));
}

// Saves a PNG screenshot of the page and returns its path.
export async function saveScreenshot(page, name) {
  const file = artifactPath(name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
