// Issue 7's layout matrix, light theme: every screen of the login flow at 1920×1080, 1280×720,
// 1024×600, 768×1024 and 390×844, at each text size and in each language, with no widget
// leaving the window or overlapping another (lib/layout.mjs). One file per theme, so the test
// runner's two workers share the matrix. Screenshots: artifacts/e2e/layout/<lang>-<size>-light/.
import { defineLayoutMatrix } from './lib/layout.mjs';

defineLayoutMatrix('light');
