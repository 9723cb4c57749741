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
