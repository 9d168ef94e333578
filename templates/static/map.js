// Zoom and pan for the site map (templates/map.html, vibesite/site/map_svg.py).
// Without this script the map is a static SVG with every label shown. With it: the mouse
// wheel, a pinch, dragging, the + / - / reset buttons and the keyboard (+, -, 0, arrows,
// once the map has focus) zoom and pan by changing the viewBox; labels keep a size in
// screen pixels (data-label-px) at every zoom, never above the size they were placed for
// (data-place, SVG units), so none of a level overlap; broad labels show at every zoom,
// fine ones (data-level="2") once zoomed in far enough to be drawn at data-min-px. Hovering
// a dot, or tapping near one, shows a card with the article's title (a link) and its topic;
// Escape or the card's close button hides it. The buttons sit in a strip above the map that
// style.css keeps from the first paint (.js .site-map), never over a label or a dot.
// Its words are English unless the page hands others (<script id="vs-words">:
// vibesite.site.words, the [script] keys of templates/i18n/<language>.toml).
(function () {
  "use strict";
  const ENGLISH = {
    map_close: "Close",
    map_zoom_in: "Zoom in",
    map_zoom_out: "Zoom out",
    map_whole: "Show the whole map",
    map_keys: "Map: + and - zoom, arrow keys pan, 0 shows it all",
  };
  const words = (() => {
    try {
      return JSON.parse(document.getElementById("vs-words")?.textContent ?? "{}");
    } catch {
      return {};
    }
  })();
  const word = (key) => String(words[key] ?? ENGLISH[key]);
  const figure = document.querySelector(".site-map");
  const svg = figure && figure.querySelector("svg.vs-map");
  if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
  const full = svg.viewBox.baseVal;
  const X0 = full.x, Y0 = full.y, W = full.width, H = full.height;
  const MIN_W = W / 10, NEAR = 0.67;  // deepest zoom; fine labels below this share of W
  const numbers = (name, fallback) => (svg.getAttribute(name) || fallback).split(" ").map(Number);
  const PX = numbers("data-label-px", "18 13"), MIN_PX = numbers("data-min-px", "12 11");
  const PLACE = numbers("data-place", "22 14");
  const TAP_PX = 24;  // a tap this close to a dot (CSS px) picks it
  let view = { x: X0, y: Y0, w: W, h: H };

  function apply() {
    view.w = Math.min(W, Math.max(MIN_W, view.w));
    view.h = view.w * H / W;
    view.x = Math.min(Math.max(view.x, X0), X0 + W - view.w);
    view.y = Math.min(Math.max(view.y, Y0), Y0 + H - view.h);
    svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map((v) => v.toFixed(1)).join(" "));
    const unit = view.w / (svg.getBoundingClientRect().width || W);  // SVG units per CSS px
    svg.classList.toggle("vs-map--near", view.w < NEAR * W && MIN_PX[1] * unit <= PLACE[1]);
    svg.style.setProperty("--vs-unit", unit.toFixed(4));
    svg.style.setProperty("--vs-l1", Math.min(PLACE[0], PX[0] * unit).toFixed(2) + "px");
    svg.style.setProperty("--vs-l2", Math.min(PLACE[1], PX[1] * unit).toFixed(2) + "px");
    if (shown) place(shown);
  }

  function zoom(factor, cx, cy) {
    const w = Math.min(W, Math.max(MIN_W, view.w * factor));
    const k = w / view.w;
    view.x = cx - (cx - view.x) * k;
    view.y = cy - (cy - view.y) * k;
    view.w = w;
    apply();
  }

  function toMap(clientX, clientY) {
    const r = svg.getBoundingClientRect();
    return [view.x + (clientX - r.left) / r.width * view.w,
            view.y + (clientY - r.top) / r.height * view.h];
  }

  function centre() { return [view.x + view.w / 2, view.y + view.h / 2]; }

  // the card: a dot's title (a link to the article) and its topic, with a close button
  const card = document.createElement("div");
  card.className = "map-card";
  card.hidden = true;
  const cardTitle = document.createElement("a");
  cardTitle.className = "map-card__title";
  const cardTopic = document.createElement("p");
  cardTopic.className = "map-card__topic";
  const close = document.createElement("button");
  close.type = "button";
  close.className = "map-card__close";
  close.setAttribute("aria-label", word("map_close"));
  close.title = word("map_close");
  close.textContent = "\u00d7";
  close.addEventListener("click", () => { hide(); figure.focus(); });
  card.append(cardTitle, cardTopic, close);  // in the page from the first dot shown: never a link to nowhere
  let shown = null, hideTimer = 0, dots = null;

  function topicLink(label) {
    const a = document.createElement("a");
    a.href = label.getAttribute("href");
    // a wrapped label's lines (tspans) joined as map_svg.label_text does: a space between
    // them unless the line ended after a dot
    const lines = [...label.querySelectorAll("tspan")].map((t) => t.textContent);
    a.textContent = lines.length
      ? lines.reduce((name, line) => name + (name.endsWith(".") ? "" : " ") + line)
      : label.textContent;
    return a;
  }

  function show(dot) {
    clearTimeout(hideTimer);
    const link = dot.closest("a"), title = dot.querySelector("title");
    cardTitle.textContent = title ? title.textContent : "";
    if (link) cardTitle.setAttribute("href", link.getAttribute("href"));
    else cardTitle.removeAttribute("href");
    const fine = dot.dataset.t !== undefined &&
      svg.querySelector(`.labels a[data-t="${dot.dataset.t}"]`);
    const broad = fine && fine.dataset.b !== undefined &&
      svg.querySelector(`.labels a[data-b="${fine.dataset.b}"]:not([data-t])`);
    cardTopic.replaceChildren(...(broad ? [topicLink(broad), " \u203a "] : []),
                              ...(fine ? [topicLink(fine)] : []));
    cardTopic.hidden = !fine;
    if (!card.isConnected) figure.append(card);
    card.hidden = false;
    if (shown) shown.classList.remove("d--shown");
    shown = dot;
    dot.classList.add("d--shown");
    place(dot);
  }

  function hide() {
    clearTimeout(hideTimer);
    card.hidden = true;
    if (shown) shown.classList.remove("d--shown");
    shown = null;
  }

  function place(dot) {  // below the dot (above it near the bottom), inside the figure
    const f = figure.getBoundingClientRect(), s = svg.getBoundingClientRect();
    const d = dot.getBoundingClientRect();
    const x = d.left + d.width / 2, y = d.top + d.height / 2;
    if (x < s.left || x > s.right || y < s.top || y > s.bottom) { hide(); return; }
    const w = card.offsetWidth, h = card.offsetHeight, gap = 10;
    const left = Math.min(Math.max(x - f.left - w / 2, 0), Math.max(f.width - w, 0));
    let top = y - f.top + gap;
    if (top + h > f.height) top = Math.max(y - f.top - gap - h, 0);
    card.style.left = left.toFixed(0) + "px";
    card.style.top = top.toFixed(0) + "px";
  }

  function nearest(clientX, clientY) {  // the dot nearest a tap, within TAP_PX
    dots = dots || [...svg.querySelectorAll("circle.d")].map(
      (c) => [c, Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))]);
    const [x, y] = toMap(clientX, clientY);
    const unit = view.w / svg.getBoundingClientRect().width;
    let best = null, bestD = (TAP_PX * unit) ** 2;
    for (const [c, cx, cy] of dots) {
      const d = (cx - x) ** 2 + (cy - y) ** 2;
      if (d < bestD) { best = c; bestD = d; }
    }
    return best;
  }

  svg.classList.add("vs-map--js");
  apply();
  window.addEventListener("resize", apply);

  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    zoom(Math.exp(event.deltaY * 0.002), ...toMap(event.clientX, event.clientY));
  }, { passive: false });

  // dragging pans, two fingers pinch; a drag does not follow the link it started on
  const pointers = new Map();
  let moved = false, pinch = 0, pointerType = "mouse";
  svg.addEventListener("pointerdown", (event) => {
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    moved = false;
    pinch = 0;
    pointerType = event.pointerType;
  });
  svg.addEventListener("pointermove", (event) => {
    const last = pointers.get(event.pointerId);
    if (!last) return;
    const now = [event.clientX, event.clientY];
    if (pointers.size === 1) {
      const r = svg.getBoundingClientRect();
      const dx = now[0] - last[0], dy = now[1] - last[1];
      if (!moved && Math.hypot(dx, dy) < 4) return;
      if (!moved) svg.setPointerCapture(event.pointerId);
      moved = true;
      view.x -= dx / r.width * view.w;
      view.y -= dy / r.height * view.h;
      apply();
    } else if (pointers.size === 2) {
      const [a, b] = [...pointers.entries()].map(([id, p]) => (id === event.pointerId ? now : p));
      const dist = Math.hypot(a[0] - b[0], a[1] - b[1]);
      if (pinch) zoom(pinch / dist, ...toMap((a[0] + b[0]) / 2, (a[1] + b[1]) / 2));
      pinch = dist;
      moved = true;
    }
    pointers.set(event.pointerId, now);
  });
  for (const type of ["pointerup", "pointercancel", "pointerleave"]) {
    svg.addEventListener(type, (event) => { pointers.delete(event.pointerId); pinch = 0; });
  }
  // a click follows the link (the mouse showed the card on hover); a tap shows the card of
  // the nearest dot, or hides it; a tap on a topic label follows that label
  svg.addEventListener("click", (event) => {
    if (moved) { event.preventDefault(); event.stopPropagation(); moved = false; return; }
    if (pointerType === "mouse" || event.target.closest(".labels")) return;
    event.preventDefault();
    event.stopPropagation();
    const dot = nearest(event.clientX, event.clientY);
    if (dot) show(dot); else hide();
  }, true);
  svg.style.touchAction = "none";

  svg.addEventListener("pointerover", (event) => {
    const dot = event.target.closest("circle.d");
    if (event.pointerType === "mouse" && !pointers.size && dot) show(dot);
  });
  svg.addEventListener("pointerout", (event) => {
    if (event.pointerType === "mouse" && shown && event.target.closest("circle.d")) {
      hideTimer = setTimeout(hide, 600);  // time to reach the card
    }
  });
  card.addEventListener("pointerenter", () => clearTimeout(hideTimer));
  card.addEventListener("pointerleave", (event) => {
    if (event.pointerType === "mouse") hideTimer = setTimeout(hide, 300);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || card.hidden) return;
    const inside = card.contains(document.activeElement);
    hide();
    if (inside) figure.focus();
  });

  const bar = document.createElement("div");
  bar.className = "map-zoom";
  const buttons = [["+", word("map_zoom_in"), () => zoom(0.6, ...centre())],
                   ["\u2212", word("map_zoom_out"), () => zoom(1 / 0.6, ...centre())],
                   ["\u21ba", word("map_whole"), () => { view = { x: X0, y: Y0, w: W, h: H }; apply(); }]];
  for (const [text, label, act] of buttons) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    button.setAttribute("aria-label", label);
    button.title = label;
    button.addEventListener("click", act);
    bar.append(button);
  }
  figure.prepend(bar);

  figure.tabIndex = 0;
  figure.setAttribute("aria-label", word("map_keys"));
  figure.addEventListener("keydown", (event) => {
    const step = 0.15;
    const keys = {
      "+": () => zoom(0.8, ...centre()), "=": () => zoom(0.8, ...centre()),
      "-": () => zoom(1.25, ...centre()), "_": () => zoom(1.25, ...centre()),
      "0": () => { view = { x: X0, y: Y0, w: W, h: H }; apply(); },
      ArrowLeft: () => { view.x -= step * view.w; apply(); },
      ArrowRight: () => { view.x += step * view.w; apply(); },
      ArrowUp: () => { view.y -= step * view.h; apply(); },
      ArrowDown: () => { view.y += step * view.h; apply(); },
    };
    if (event.target !== figure || !(event.key in keys)) return;
    event.preventDefault();
    keys[event.key]();
  });
})();
