// Puts a page into the state a user causes by switching to another tab or minimising the window.
//
// Headless Chromium never hides a page on its own: opening or activating another tab
// (Target.createTarget / Target.activateTarget, also in the same window), minimising the window
// (Browser.setWindowBounds) and Page.setWebLifecycleState all leave document.visibilityState at
// 'visible' (checked with Chromium 156). So the page is told exactly what a real hide tells it:
// document.visibilityState / document.hidden change and a 'visibilitychange' event is fired.
// requestAnimationFrame keeps running meanwhile, unlike in a real hidden tab, which makes
// "draws nothing while hidden" a stricter check of the app's own logic.
export async function setPageHidden(page, hidden) {
  await page.evaluate((isHidden) => {
    const state = isHidden ? 'hidden' : 'visible';
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => isHidden });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, hidden);
}
