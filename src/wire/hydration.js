// The shell's module (see `hydration_module` in site.rs): it takes over the interactive
// parts of the page (Leptos islands) when they are about to be used (below, `wake`), and keeps navigation in the
// page: a click on a link of this site, or a form that is not an island's, fetches the next page
// and swaps its body in, so the WASM is loaded once per visit rather than once per page.
((js, wasm) => {
  let mod = null;
  let navigation = 0;

  // Leptos's island protocol (leptos/src/hydration/island_script.js): each `leptos-island`
  // names its WASM export; island children rendered by the server keep their owner through
  // the `$$on_hydrate` callback of the enclosing `leptos-children`.
  const childrenCallbacks = [];
  const hydrateIsland = async (el) => {
    const take = mod[el.dataset.component];
    if (!take) {
      console.warn(`no WASM export for the island ${el.dataset.component}`);
      return;
    }
    const callback = childrenCallbacks[childrenCallbacks.length - 1];
    if (callback) callback();
    const kept = entered(el);
    const result = take(el);
    putBack(kept);
    if (result && result.then) await result;
  };

  // What was typed or chosen in an island's fields before it was taken over (on a phone the
  // WASM can take seconds to arrive, and the fields of the server's page take typing meanwhile):
  // taking over sets each field to the value the island starts with, so the person's entries
  // are put back, and given to the island as `input` and `change` events, which its handlers
  // read like any typing (a country chosen shows its address fields).
  const entered = (el) => {
    const kept = [];
    for (const field of Array.from(el.querySelectorAll('input, textarea, select'))) {
      if (field instanceof HTMLInputElement && (field.type === 'checkbox' || field.type === 'radio')) {
        if (field.checked !== field.defaultChecked && (field.checked || field.type === 'checkbox')) kept.push({ field, checked: field.checked });
      } else if (field instanceof HTMLSelectElement) {
        if (Array.from(field.options).some((o) => o.selected !== o.defaultSelected)) kept.push({ field, value: field.value });
      } else if (field.type !== 'hidden' && field.type !== 'file' && field.value !== field.defaultValue) {
        const caret = field === document.activeElement && field.selectionStart !== null ? [field.selectionStart, field.selectionEnd] : null;
        kept.push({ field, value: field.value, caret });
      }
    }
    return kept;
  };
  const putBack = (kept) => {
    for (const { field, value, checked, caret } of kept) {
      if (!field.isConnected || field.disabled) continue;
      if (checked !== undefined) field.checked = checked;
      else field.value = value;
      field.dispatchEvent(new Event('input', { bubbles: true }));
      field.dispatchEvent(new Event('change', { bubbles: true }));
      if (caret && field === document.activeElement) field.setSelectionRange(caret[0], caret[1]);
    }
  };
  // Taking over is cut into tasks, so that the browser can answer a tap or paint in between:
  // the WASM's start, then each island. In one task it blocked the main thread of Lighthouse's
  // throttled phone for 100-150 ms on a page with an island (README, Performance).
  const breath = () =>
    globalThis.scheduler?.yield ? globalThis.scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
  // An island whose page was swapped out meanwhile is left alone.
  const traverse = async (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE || !node.isConnected) return;
    const tag = node.tagName.toLowerCase();
    if (tag === 'leptos-island' && !node.$$taken) {
      await breath();
      if (!node.isConnected) return;
      node.$$taken = true;
      await hydrateIsland(node);
      // For end-to-end tests and anyone debugging: this island is the WASM's now.
      node.setAttribute('data-taken-over', '');
    }
    const isChildren = tag === 'leptos-children';
    if (isChildren) childrenCallbacks.push(node.$$on_hydrate);
    for (const child of Array.from(node.children)) await traverse(child);
    if (isChildren) childrenCallbacks.pop();
  };
  // The WASM is fetched once, and only for a page that has an island: a page without one (the
  // sign-in page, the usage report) needs none. A failed fetch is tried again at the next use
  // (a module whose import failed stays failed under its name, hence the query).
  let loading = null;
  let attempts = 0;
  const load = () =>
    loading ||
    (loading = import(attempts++ ? `${js}?again=${attempts}` : js)
      .then((m) => m.default({ module_or_path: wasm }).then(() => m))
      .then(async (m) => {
        await breath();
        m.hydrate();
        mod = m;
      })
      .catch((error) => {
        loading = null;
        throw error;
      }));
  // Whether a page has an island to take over.
  const hasIslands = (body) => body.querySelector('leptos-island') !== null;

  // When islands are taken over. The first page of a visit is the server's HTML until someone
  // is about to use one of its islands (a pointer over one of its controls, a touch, a key, the
  // focus in it): only then is the WASM fetched, so a visitor who reads an invoice, a list or
  // a balance downloads none (README, Performance). A click on an island's button, or a form of
  // one sent, before it is taken over is held (the island shows it is busy) and done again once
  // it is; what was typed meanwhile is kept (`entered`). An island that must act as the page
  // opens asks for it (`data-take-over="at-load"` inside it: the manage dialog that
  // `/subscriptions?manage=` opens). The pages shown after it (navigation in the page) are
  // taken over at once: by then the visitor is using the portal, and the WASM is loaded once.
  const wake = (body) =>
    body.$$woken ||
    (body.$$woken = (async () => {
      const loaded = mod !== null;
      try {
        await load();
      } catch (_) {
        body.$$woken = null;
        if (body === document.body) unheld(body, true);
        return;
      }
      if (body !== document.body) return;
      // Each page's islands are taken over afresh: a new root, whose count of serialized
      // values starts again, as the server's did for this page.
      if (loaded) mod.hydrate();
      await traverse(body);
      const again = unheld(body, false);
      if (again) setTimeout(again);
    })());
  const takeOver = async (now) => {
    const body = document.body;
    if (body.$$takenOver) return;
    body.$$takenOver = true;
    if (hasIslands(body) && (now || loading || body.querySelector('leptos-island [data-take-over="at-load"]'))) await wake(body);
    // Lets end-to-end tests (and anyone debugging) tell a live page (navigation in the page,
    // islands taken over or waiting for their first use) from server-rendered HTML.
    if (body === document.body) body.setAttribute('data-hydrated', 'true');
  };

  const islandOf = (target) => (target instanceof Element ? target.closest('leptos-island') : null);
  const waiting = (island) => island && !island.$$taken && document.body.contains(island);
  const CONTROLS = 'button, a[href], input, select, textarea, label, summary, [tabindex]';
  const aboutToUse = (ev) => {
    if (!waiting(islandOf(ev.target))) return;
    if (ev.type === 'pointerover' && !ev.target.closest(CONTROLS)) return;
    wake(document.body);
  };
  for (const type of ['pointerover', 'pointerdown', 'touchstart', 'focusin', 'keydown']) addEventListener(type, aboutToUse, { capture: true, passive: true });

  // The one use held until its island is taken over (the last one: a second tap on the same
  // button is not a second payment), and the control it was made on.
  let held = null;
  const TAKE_OVER_FAILED = 'take-over-failed';
  const marked = (use, on) => {
    use.control.toggleAttribute('data-held', on);
    if (on) use.island.setAttribute('aria-busy', 'true');
    else use.island.removeAttribute('aria-busy');
  };
  const hold = (ev, control, again) => {
    ev.preventDefault();
    ev.stopImmediatePropagation();
    if (held) marked(held, false);
    held = { body: document.body, island: islandOf(control), control, again };
    marked(held, true);
    document.getElementById(TAKE_OVER_FAILED)?.remove();
    wake(document.body);
  };
  // Ends the wait of this page's held use: what to do again, if the island was taken over.
  const unheld = (body, failed) => {
    const use = held && held.body === body ? held : null;
    held = null;
    if (use) marked(use, false);
    if (!failed) {
      document.getElementById(TAKE_OVER_FAILED)?.remove();
      return use ? use.again : null;
    }
    // What was asked for is not done: said above the page, not inside the island (whose
    // HTML is the island's to take over).
    if (use && !document.getElementById(TAKE_OVER_FAILED)) {
      const alert = document.createElement('p');
      alert.id = TAKE_OVER_FAILED;
      alert.className = 'notice notice-error';
      alert.setAttribute('role', 'alert');
      alert.textContent = "This part of the page couldn't be loaded, so nothing was done. Check your connection and try again.";
      (document.querySelector('main') || body).prepend(alert);
    }
    return null;
  };
  const HELD = 'button, input[type="submit"], input[type="button"], input[type="image"]';
  addEventListener(
    'click',
    (ev) => {
      const control = ev.target instanceof Element ? ev.target.closest(HELD) : null;
      if (!control || !waiting(islandOf(control))) return;
      hold(ev, control, () => control.isConnected && control.click());
    },
    true,
  );
  // A form of an island sent without a click (Enter in a form without a button).
  addEventListener(
    'submit',
    (ev) => {
      const form = ev.target;
      if (!(form instanceof HTMLFormElement) || !waiting(islandOf(form))) return;
      const submitter = ev.submitter;
      hold(ev, submitter || form, () => form.isConnected && form.requestSubmit(submitter?.isConnected ? submitter : undefined));
    },
    true,
  );

  // A part of a menu filled from another page (`data-fill-from`: that page's address,
  // `data-fill-part`: the id of the element to take from it) when the menu is about to open or
  // opens: the account menu's accounts (`ui::layout::AccountSwitcher`), so the header needs no
  // WASM and no page renders the accounts' balances before someone asks for them. If that fails,
  // what the part showed (a link to the page of all accounts) stays, and the next opening (not
  // the next hover) tries again.
  const fillShown = async (element, { again = true } = {}) => {
    for (const slot of Array.from(element.querySelectorAll('[data-fill-from]'))) {
      if (slot.$$filling || (slot.$$tried && !again)) continue;
      slot.$$filling = true;
      slot.$$tried = true;
      slot.setAttribute('aria-busy', 'true');
      const [filled] = await fetchParts(new URL(slot.dataset.fillFrom, location.href), [slot.dataset.fillPart]);
      slot.removeAttribute('aria-busy');
      if (filled && slot.isConnected) {
        // A keyboard on the link the part showed meanwhile stays on that link in the new one.
        const focused = slot.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
        slot.replaceWith(filled);
        if (focused) Array.from(filled.querySelectorAll('a[href]')).find((a) => a.getAttribute('href') === focused)?.focus();
      } else slot.$$filling = false;
    }
  };

  // ---------------------------------------------------------------- disclosures
  // A `data-disclosure` button shows and hides the element it controls (the account menu):
  // Esc closes it and gives the button the focus back, and a link in it closes it.
  const disclosureOf = (element) => {
    const button = document.querySelector(`button[data-disclosure][aria-controls="${element.id}"]`);
    return button && { button, panel: element };
  };
  const setOpen = ({ button, panel }, open) => {
    button.setAttribute('aria-expanded', String(open));
    panel.hidden = !open;
    if (open) fillShown(panel);
  };
  addEventListener('click', (ev) => {
    const target = ev.target instanceof Element ? ev.target : null;
    const button = target?.closest('button[data-disclosure]');
    const panel = button && document.getElementById(button.getAttribute('aria-controls'));
    if (panel) setOpen({ button, panel }, button.getAttribute('aria-expanded') !== 'true');
    for (let el = target?.closest('a[href]')?.parentElement; el; el = el.parentElement) {
      const around = el.id && disclosureOf(el);
      if (around) {
        setOpen(around, false);
        break;
      }
    }
  });
  // A pointer over a disclosure's button, or the focus on it, is a menu about to open: its parts
  // are fetched then, so that they are there when it opens rather than moving in after.
  const aboutToOpen = (ev) => {
    const button = ev.target instanceof Element ? ev.target.closest('button[data-disclosure]') : null;
    const panel = button && document.getElementById(button.getAttribute('aria-controls'));
    if (panel) fillShown(panel, { again: false });
  };
  addEventListener('pointerover', aboutToOpen);
  addEventListener('focusin', aboutToOpen);
  addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || !(ev.target instanceof Element)) return;
    for (const button of document.querySelectorAll('button[data-disclosure][aria-expanded="true"]')) {
      const panel = document.getElementById(button.getAttribute('aria-controls'));
      if (panel && (button.contains(ev.target) || panel.contains(ev.target) || ev.target === document.body)) {
        setOpen({ button, panel }, false);
        button.focus();
      }
    }
  });

  // ---------------------------------------------------------------- navigation in the page
  // Pages have no file extension; `/statement.pdf` and the like are the browser's to save.
  const pageUrl = (url) => url.origin === location.origin && !/^\/(api|pkg)\//.test(url.pathname) && !/\.\w+$/.test(url.pathname);

  const linkTarget = (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.altKey || ev.ctrlKey || ev.shiftKey) return null;
    const a = ev.target instanceof Element ? ev.target.closest('a[href]') : null;
    // A link to something else than a page (a PDF, say) names its type, and is the browser's.
    if (!a || a.target || a.hasAttribute('download') || (a.type && a.type !== 'text/html')) return null;
    if ((a.getAttribute('rel') || '').split(/\s+/).includes('external')) return null;
    const url = new URL(a.href);
    if (!pageUrl(url)) return null;
    // A jump within this page is the browser's.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return null;
    return url;
  };

  const saveScroll = () => history.replaceState({ ...(history.state || {}), scroll: scrollY }, '');

  // Fetches a page and swaps it in; anything but an HTML page of the same build is left to the
  // browser (a download, a new deployment's assets, a failed fetch).
  // Fetches a page as HTML: the answer (null when the fetch failed), and the page parsed when it
  // is one of this site's (a redirect elsewhere is the browser's to follow).
  const fetchPage = async (request) => {
    try {
      const response = await fetch(request);
      const isHtml = (response.headers.get('content-type') || '').startsWith('text/html');
      const ours = new URL(response.url || request.url).origin === location.origin;
      const html = isHtml && ours ? await response.text() : null;
      return { response, page: html === null ? null : new DOMParser().parseFromString(html, 'text/html') };
    } catch (_) {
      return { response: null, page: null };
    }
  };

  // Elements of a page (by id) as the server renders it now, in one request, each adopted into
  // this document or null: all null if the fetch failed or was redirected (signed out, say), and
  // null for one holding an island or a script, which a part taken into this page would not run.
  // For `refreshParts` and the menus' `data-fill-from`.
  const fetchParts = async (url, ids) => {
    const { response, page } = await fetchPage(new Request(url, { headers: { Accept: 'text/html' } }));
    const ok = response && response.ok && !response.redirected && page;
    return ids.map((id) => {
      const part = ok ? page.getElementById(id) : null;
      return part && !part.querySelector('leptos-island, script') ? document.adoptNode(part) : null;
    });
  };

  const visit = async (request, { push, scroll, keepFocus, form }) => {
    const mine = ++navigation;
    document.documentElement.setAttribute('aria-busy', 'true');
    const { response, page: next } = await fetchPage(request);
    if (mine !== navigation) return;
    const url = response && response.url ? new URL(response.url) : new URL(request.url);
    const sameBuild = next && next.querySelector('link#leptos')?.getAttribute('href') === document.querySelector('link#leptos')?.getAttribute('href');
    if (!sameBuild) {
      if (request.method === 'GET') location.assign(url);
      else location.reload();
      return;
    }
    document.documentElement.removeAttribute('aria-busy');
    const samePage = url.pathname === location.pathname;
    // A form refused by the server comes back to its page with the message in the address
    // (`__err`, read by the server's render): shown, but not kept in the address.
    const refused = url.searchParams.has('__err');
    const shown = new URL(url);
    shown.searchParams.delete('__err');
    shown.searchParams.delete('__path');
    if (push) {
      saveScroll();
      history.pushState({ scroll: 0 }, '', shown);
    } else {
      history.replaceState({ scroll: scroll || 0 }, '', shown);
    }
    shownPage = shown.pathname + shown.search;
    document.title = next.title;
    takeData(next.body);
    const typing = typedInto(document.activeElement);
    document.body.replaceWith(document.adoptNode(next.body));
    // What was being typed while this page was on its way (the search box filled while a
    // filter is applied) is kept, with the focus, where the new page has the same field.
    const retyped = typing && samePage ? document.getElementById(typing.id) : null;
    const keptTyping = retyped && typedInto(retyped, true) && retyped.name === typing.name && retyped.value !== typing.value;
    if (keptTyping) {
      retyped.value = typing.value;
      retyped.focus();
    }
    // ... with what was typed in it, but for passwords; the focus goes to the field refused.
    let refusedField = null;
    if (refused && form) {
      const again = Array.from(document.forms).find((f) => f.getAttribute('action') === form.action);
      for (const [name, value] of form.fields) {
        const field = again?.elements.namedItem(name);
        if (field instanceof HTMLInputElement && !['password', 'hidden', 'checkbox', 'radio', 'file'].includes(field.type)) field.value = value;
        else if (field instanceof HTMLTextAreaElement) field.value = value;
      }
      refusedField = again?.querySelector('[aria-invalid="true"]') || null;
    }
    if (url.hash) document.getElementById(decodeURIComponent(url.hash.slice(1)))?.scrollIntoView();
    else scrollTo(0, scroll || 0);
    // Screen readers and keyboards start at the new page's heading, as after a page load.
    const heading = keepFocus || refusedField || keptTyping ? null : document.querySelector('main h1');
    if (refusedField) refusedField.focus();
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
    await takeOver(true);
  };

  // A text field of a page's form (not an island's) being typed into: its id, name and value.
  const TEXT = ['text', 'search', 'email', 'tel', 'url', 'number'];
  const typedInto = (field, any = false) => {
    const text = (field instanceof HTMLInputElement && TEXT.includes(field.type)) || field instanceof HTMLTextAreaElement;
    if (!text || !field.id || !field.form || field.closest('leptos-island')) return null;
    return any || field.value !== field.defaultValue ? { id: field.id, name: field.name, value: field.value } : null;
  };

  // The values the server resolved for this page's islands come as inline scripts, which a
  // parsed page does not run. They are run here, under this document's nonce (they come from
  // this site, as the page does), into the arrays the WASM already holds (it keeps a handle to
  // the first page's).
  const DATA = ['__RESOLVED_RESOURCES', '__SERIALIZED_ERRORS', '__INCOMPLETE_CHUNKS', '__PENDING_RESOURCES', '__RESOURCE_RESOLVERS'];
  const nonce = document.querySelector('script[nonce]')?.nonce || '';
  const takeData = (body) => {
    const held = DATA.map((name) => [name, window[name]]);
    for (const inert of Array.from(body.querySelectorAll('script'))) {
      if (inert.type !== 'module') {
        const live = document.createElement('script');
        live.nonce = nonce;
        live.textContent = inert.textContent;
        document.head.append(live);
        live.remove();
      }
      inert.remove();
    }
    for (const [name, array] of held) {
      const fresh = window[name];
      if (Array.isArray(array) && fresh !== array) {
        array.length = 0;
        if (Array.isArray(fresh)) Object.assign(array, fresh);
        window[name] = array;
      }
    }
  };

  // "Load more" under a list rendered on the server (`ui::components::load_more::MoreRows`): a
  // GET form for the same page from a cursor on. Its rows are appended to the list here, and
  // what the server put under them (the next "Load more", or the end of the list) replaces the
  // form; the focus stays there. Without this, the form shows the older entries as a page.
  const appendRows = async (form, button, url) => {
    const id = form.dataset.append;
    const rows = document.getElementById(id);
    const alert = document.querySelector(`[data-load-more-error="${id}"]`);
    if (!rows || !button || button.disabled) return;
    const label = button.textContent;
    button.disabled = true;
    button.textContent = 'Loading…';
    rows.setAttribute('aria-busy', 'true');
    const { response, page } = await fetchPage(new Request(url, { headers: { Accept: 'text/html' } }));
    const next = response && response.ok ? page : null;
    rows.removeAttribute('aria-busy');
    button.disabled = false;
    button.textContent = label;
    // Signed out meanwhile, say: the page the server sent instead is the browser's to show.
    if (response && response.redirected && new URL(response.url).pathname !== url.pathname) {
      location.assign(response.url);
      return;
    }
    const more = next?.getElementById(id);
    const after = next?.querySelector(`[data-append="${id}"], [data-end-of="${id}"]`);
    if (!more || !after) {
      if (alert) {
        alert.textContent = "Couldn't load more. Check your connection and try again.";
        alert.hidden = false;
      }
      return;
    }
    if (alert) {
      alert.hidden = true;
      alert.textContent = '';
    }
    rows.append(...Array.from(more.children).map((row) => document.adoptNode(row)));
    for (const count of document.querySelectorAll(`[data-count-of="${id}"]`)) count.textContent = String(rows.children.length);
    const placed = document.adoptNode(after);
    const hadFocus = form.contains(document.activeElement);
    form.replaceWith(placed);
    if (hadFocus) (placed.querySelector('button') || placed).focus({ preventScroll: true });
  };

  addEventListener('click', (ev) => {
    const url = linkTarget(ev);
    if (!url) return;
    ev.preventDefault();
    visit(new Request(url, { headers: { Accept: 'text/html' } }), { push: true });
  });

  // A form of the page rather than of an island (an island handles its own): a GET form is a
  // navigation, a POST form's answer (a redirect to the next page) is shown like one.
  addEventListener('submit', (ev) => {
    const form = ev.target;
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement) || form.closest('leptos-island')) return;
    // A change of whose portal the session shows ends in a document load (`PortalChangeButton`).
    if (form.target || form.hasAttribute('data-document')) return;
    const method = (ev.submitter?.getAttribute('formmethod') || form.method).toUpperCase();
    const url = new URL(ev.submitter?.getAttribute('formaction') || form.action, location.href);
    if (method !== 'GET' && method !== 'POST') return;
    if (!pageUrl(url) && !(method === 'POST' && url.origin === location.origin)) return;
    const data = new FormData(form, ev.submitter);
    const fields = new URLSearchParams();
    for (const [name, value] of data) if (typeof value === 'string') fields.append(name, value);
    ev.preventDefault();
    if (method === 'GET') {
      url.search = fields.toString();
      if (form.dataset.append) appendRows(form, ev.submitter || form.querySelector('button'), url);
      else visit(new Request(url, { headers: { Accept: 'text/html' } }), { push: true });
    } else {
      // Sent once: a second click while the first is on its way would be a second change (a
      // second approval, refused, whose answer would replace the first one's page).
      if (form.$$sent) return;
      form.$$sent = true;
      form.setAttribute('aria-busy', 'true');
      const request = new Request(url, { method: 'POST', body: fields, headers: { Accept: 'text/html' } });
      visit(request, { push: true, form: { action: form.getAttribute('action'), fields } });
    }
  });

  // For islands (`ui::components::full_reload`): show another page, or this one as the server
  // now has it after a change, without a document load.
  window.portico = {
    visit: (path) => visit(new Request(new URL(path, location.href), { headers: { Accept: 'text/html' } }), { push: true }),
    refresh: () => visit(new Request(location.href, { headers: { Accept: 'text/html' } }), { push: false, scroll: scrollY, keepFocus: true }),
    // Parts of this page (their ids, space-separated; no island in them), as the server now has
    // them, in one fetch; the rest of the page stays.
    refreshParts: async (ids) => {
      const mine = navigation;
      const wanted = ids.split(/\s+/).filter(Boolean);
      const parts = await fetchParts(location.href, wanted);
      // Another page shown meanwhile may have elements of the same ids (the dashboard's status).
      if (mine !== navigation) return;
      wanted.forEach((id, i) => {
        const shown = document.getElementById(id);
        if (parts[i] && shown) shown.replaceWith(parts[i]);
      });
    },
  };

  // A filter applied as soon as it is chosen (without a script, its form's button sends it).
  addEventListener('change', (ev) => {
    const field = ev.target;
    if (field instanceof Element && field.hasAttribute('data-submit-on-change') && !field.closest('leptos-island')) field.form?.requestSubmit();
  });

  // The page shown (a jump to an anchor changes only the hash, and is not a page to fetch).
  let shownPage = location.pathname + location.search;
  addEventListener('popstate', (ev) => {
    if (location.pathname + location.search === shownPage) return;
    visit(new Request(location.href, { headers: { Accept: 'text/html' } }), { push: false, scroll: ev.state?.scroll });
  });
  history.scrollRestoration = 'manual';

  // ---------------------------------------------------------------- hydration, after a paint
  // Nothing is fetched before a frame has been painted (see `hydration_module`).
  const idle = () => ('requestIdleCallback' in window ? requestIdleCallback(() => takeOver(false), { timeout: 2000 }) : takeOver(false));
  requestAnimationFrame(() => setTimeout(idle));
})
