// The semantic layer: a transparent DOM tree over the canvas mirroring what the C++ UI draws
// (headings, texts, buttons, links, checkboxes, text fields), so screen readers, keyboard users
// and automated tests see real elements with roles and names.
//
// Pointer input is not handled here: mouse and touch events on these elements bubble to #app,
// where the C++ input layer feeds them to ImGui exactly as on the bare canvas. Only activations
// without a pointer (Enter/Space on a focused element, a screen reader's "click") are forwarded
// by widget id, so nothing is ever activated twice.
'use strict';
(function () {
  // The role names of the semantic tree (core/semantics.cpp), from the generated contract.
  const R = window.ibankContract.roles;
  const TAGS = { [R.heading]: null, [R.text]: 'p', [R.button]: 'button', [R.link]: 'a', [R.checkbox]: 'input',
                 [R.textInput]: 'div', [R.alert]: 'div', [R.radio]: 'button' };
  let elements = new Map();   // widget id -> element, kept across frames so focus survives
  let lastSerial = -1;
  let lastAnnouncement = '';

  function create(node) {
    let el;
    if (node.role === R.heading) {
      el = document.createElement('h' + Math.min(6, Math.max(1, node.level || 2)));
    } else {
      el = document.createElement(TAGS[node.role] || 'div');
    }
    if (node.role === R.button || node.role === R.radio) el.type = 'button';
    if (node.role === R.radio) el.setAttribute('role', 'radio');
    if (node.role === R.checkbox) el.type = 'checkbox';
    if (node.role === R.link) { el.setAttribute('role', 'link'); el.tabIndex = 0; }
    if (node.role === R.textInput) {
      el.setAttribute('role', 'textbox');
      el.tabIndex = 0;
    }
    // Keyboard focus (Tab) follows into the UI: a focused text field gets the keyboard, so what
    // is typed next goes into it; focus on anything else takes the keyboard away from it.
    el.addEventListener('focus', () => {
      if (window.Module && Module._ibank_overlay_focus)
        Module._ibank_overlay_focus(Number(el.dataset.id), node.role === R.textInput ? 1 : 0);
    });
    el.addEventListener('blur', () => {
      if (window.Module && Module._ibank_overlay_blur) Module._ibank_overlay_blur();
    });
    if (node.role === R.alert) el.setAttribute('role', 'alert');
    el.dataset.role = node.role;
    el.addEventListener('click', (event) => {
      // detail === 0: not from a pointer (keyboard or assistive technology).
      if (event.detail === 0 && window.Module && Module._ibank_overlay_activate)
        Module._ibank_overlay_activate(Number(el.dataset.id));
      if (node.role === R.checkbox || node.role === R.link) event.preventDefault();
    });
    return el;
  }

  function apply(el, node) {
    el.dataset.id = String(node.id);
    const [x, y, w, h] = node.rect;
    el.style.left = x + 'px';
    el.style.top = y + 'px';
    el.style.width = w + 'px';
    el.style.height = h + 'px';
    if (node.role === R.checkbox || node.role === R.textInput) {
      el.setAttribute('aria-label', node.name);   // a text field exposes its name, never its value
    } else if (el.textContent !== node.name) {
      el.textContent = node.name;
    }
    if (node.role === R.checkbox) el.checked = !!node.checked;
    if (node.role === R.radio) el.setAttribute('aria-checked', node.checked ? 'true' : 'false');
    if ('disabled' in el) el.disabled = !!node.disabled;
    else if (node.disabled) el.setAttribute('aria-disabled', 'true');
    else el.removeAttribute('aria-disabled');
  }

  function announce(text) {
    const live = document.getElementById('announcer');
    live.textContent = '';
    // A fresh text node makes screen readers announce even a repeated message.
    requestAnimationFrame(() => { live.textContent = text; });
  }

  function update(json) {
    const tree = JSON.parse(json);
    const layer = document.getElementById('semantics');
    const next = new Map();
    let previous = null;
    for (const node of tree.nodes) {
      const key = node.role + ':' + node.id;
      let el = elements.get(key);
      if (!el) el = create(node);
      apply(el, node);
      next.set(key, el);
      // Keep DOM order = drawing order, so Tab and reading order follow the screen.
      const wanted = previous ? previous.nextSibling : layer.firstChild;
      if (wanted !== el) layer.insertBefore(el, wanted);
      previous = el;
    }
    for (const [key, el] of elements) if (!next.has(key)) el.remove();
    elements = next;

    // The screen's name (core's screen_name) for tests and support staff reading the page.
    layer.dataset.screen = tree.screen;
    layer.dataset.screenSerial = String(tree.serial);
    // The display preferences in effect: the page's language for screen readers, the theme for
    // the colours around the canvas (app.css), all three for tests.
    const root = document.documentElement;
    if (tree.lang && root.lang !== tree.lang) root.lang = tree.lang;
    if (tree.theme && root.dataset.theme !== tree.theme) root.dataset.theme = tree.theme;
    layer.dataset.lang = tree.lang;
    layer.dataset.textSize = tree.textSize;
    layer.dataset.theme = tree.theme;
    // A new screen is announced by its title (its first heading), in the customer's language.
    if (tree.serial !== lastSerial) {
      const title = tree.nodes.find((n) => n.role === R.heading);
      if (title) announce(title.name);
    }
    if (tree.announce && tree.announce !== lastAnnouncement) announce(tree.announce);
    lastSerial = tree.serial;
    lastAnnouncement = tree.announce;
  }

  window[window.ibankContract.globals.overlay] = { update: update };
})();
