// The layout matrix's checker itself (lib/layout.mjs), on made-up semantic layers: it must name
// every kind of problem, and nothing in a sound layout. No browser: a matrix that passes proves
// little unless its checker is known to fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutFindings, preferenceFindings, Findings } from './lib/layout.mjs';

const node = (role, name, x, y, w, h) => ({ role, name, x, y, w, h });

// A 390x844 window with a top bar, a heading and two buttons side by side.
function layout(extra = [], changes = {}) {
  return {
    screen: 'login',
    prefs: { lang: 'ja', textSize: 'large', theme: 'dark' },
    width: 390,
    height: 844,
    scrollWidth: 390,
    canvas: { x: 0, y: 0, w: 390, h: 844 },
    nodes: [
      node('text', 'さくら信用金庫', 24, 16, 105, 21),
      node('button', 'English', 288, 16, 78, 45),
      node('heading', 'ログイン', 24, 73, 305, 28),
      node('button', 'OK', 24, 296, 166, 45),
      node('button', 'キャンセル', 200, 296, 166, 45),
      ...extra,
    ],
    ...changes,
  };
}
const texts = (found) => found.map((f) => f.text);

test('a sound layout has no findings, also with edges that touch and sub-pixel contact', () => {
  assert.deepEqual(layoutFindings(layout(), 'login 390×844'), []);
  // Touching (OK ends where this starts) and 0.4 px of overlap from rounding are fine.
  const touching = [node('text', 'note', 24, 341, 342, 21), node('text', 'note 2', 24, 361.6, 342, 21)];
  assert.deepEqual(layoutFindings(layout(touching), 'login 390×844'), []);
});

test('a widget leaving the window sideways is named with its rectangle', () => {
  const found = texts(layoutFindings(layout([node('button', '全てクリア', 300, 400, 120, 45), node('text', 'left', -3, 500, 50, 21)]), 'w'));
  assert.equal(found.length, 2);
  assert.match(found[0], /^w: button «全てクリア» \[x 300, y 400, 120×45\] leaves the 390-pixel-wide window \(x 300 to 420\)$/);
  assert.match(found[1], /text «left»/);
});

test('overlapping widgets are named in pairs, with the overlap', () => {
  const found = texts(layoutFindings(layout([node('text', '長い説明文', 100, 300, 200, 40)]), 'w'));
  assert.deepEqual(found, [
    'w: button «OK» [x 24, y 296, 166×45] and text «長い説明文» [x 100, y 300, 200×40] overlap by 90×40 px',
    'w: button «キャンセル» [x 200, y 296, 166×45] and text «長い説明文» [x 100, y 300, 200×40] overlap by 100×40 px',
  ]);
});

test('a zero-height heading (read by screen readers only) overlaps nothing', () => {
  assert.deepEqual(layoutFindings(layout([node('heading', 'ソフトウェアキーボード', 24, 296, 342, 0)]), 'w'), []);
});

test('sideways scrolling, a widget taller than the window, a widget above the top, a canvas not filling the window', () => {
  const found = texts(layoutFindings(layout([node('text', 'tall', 24, 400, 100, 900), node('text', 'above', 24, -10, 100, 5)],
    { scrollWidth: 420, canvas: { x: 0, y: 0, w: 390, h: 800 } }), 'w'));
  assert.equal(found.length, 4);
  assert.match(found[0], /page scrolls sideways \(scrollWidth 420 > window 390\)/);
  assert.match(found[1], /canvas .* does not fill the 390×844 window/);
  assert.match(found[2], /text «tall» .* is taller than the 844-pixel-high window/);
  assert.match(found[3], /text «above» .* starts above the top of the window before any scrolling/);
  // Scrolled down, widgets above the top are expected.
  const scrolled = layoutFindings(layout([node('text', 'above', 24, -10, 100, 5)]), 'w', { scrolled: true });
  assert.deepEqual(scrolled, []);
});

test('the same problem seen at the top and scrolled is reported once', () => {
  const findings = new Findings();
  const bad = [node('text', 'wide', 0, 500, 400, 21)];
  findings.add(layoutFindings(layout(bad), 'w'));
  findings.add(layoutFindings(layout(bad.map((n) => ({ ...n, y: 200 }))), 'w', { scrolled: true }));
  assert.equal(findings.texts.length, 1);
});

test('preferences the app did not apply are named once per attribute', () => {
  const prefs = { lang: 'ja', textSize: 'x-large', theme: 'high-contrast' };
  const findings = new Findings();
  findings.add(preferenceFindings(layout(), prefs, 'login'));
  findings.add(preferenceFindings(layout(), prefs, 'main'));
  assert.deepEqual(findings.texts, [
    '#semantics data-text-size is "large", expected "x-large": the preference is not applied (first seen on login)',
    '#semantics data-theme is "dark", expected "high-contrast": the preference is not applied (first seen on login)',
  ]);
});
