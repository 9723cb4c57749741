// Screenshots and other evidence go into the git-ignored artifacts/ folder at the repository
// root (artifacts/e2e/<name>.png), so a failed CI run can be inspected afterwards.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.mjs';

export const artifactsDir = path.join(repoRoot, 'artifacts', 'e2e');

// `name` may hold folders ('layout/ja-standard-light/login.png'), each part made file-name safe.
export function artifactPath(name) {
  const file = path.join(artifactsDir, ...name.split('/').map((part) => part.replace(/[^\w.-]+/g, '_')));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

// Saves a PNG screenshot of the page and returns its path.
export async function saveScreenshot(page, name) {
  const file = artifactPath(name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// Evidence of one screen of the app: waits until every character the screen shows has its glyph
// (the app reports characters still drawn as missing-glyph boxes in ibankStats.missingGlyphs),
// fails the test if one stays missing, then saves the screenshot.
export async function saveScreen(page, name) {
  await page.waitForFunction(() => window.ibankStats && window.ibankStats.missingGlyphs === 0, null,
    { polling: 50, timeout: 15_000 }).catch(async () => {
    const missing = await page.evaluate(() => window.ibankStats && window.ibankStats.missingGlyphs);
    throw new Error(`screen ${name} shows ${missing} character(s) without a glyph`);
  });
  return saveScreenshot(page, name);
}
