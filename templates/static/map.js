// Zoom and pan for the site map (templates/map.html, vibesite/site/map_svg.py).
// Without this script the map is a static SVG with every label shown. With it: the mouse
// wheel, a pinch, dragging, the + / - / reset buttons and the keyboard (+, -, 0, arrows,
// once the map has focus) zoom and pan by changing the viewBox; fine topic labels
// (data-level="2") appear once zoomed in, broad ones show at every zoom.
(function () {
  "use strict";
  const figure = document.querySelector(".site-map");
  const svg = figure && figure.querySelector("svg.vs-map");
  if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
  const full = svg.viewBox.baseVal;
  const X0 = full.x, Y0 = full.y, W = full.width, H = full.height;
  const MIN_W = W / 10, NEAR = 0.67;  // deepest zoom; fine labels below this share of W
  let view = { x: X0, y: Y0, w: W, h: H };

  function apply() {
    view.w = Math.min(W, Math.max(MIN_W, view.w));
    view.h = view.w * H / W;
    view.x = Math.min(Math.max(view.x, X0), X0 + W - view.w);
    view.y = Math.min(Math.max(view.y, Y0), Y0 + H - view.h);
    svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map((v) => v.toFixed(1)).join(" "));
    svg.classList.toggle("vs-map--near", view.w < NEAR * W);
    // labels and lines keep their size on screen: they were placed for the whole map
    svg.style.setProperty("--vs-zoom", (view.w / W).toFixed(4));
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

  svg.classList.add("vs-map--js");
  apply();

  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    zoom(Math.exp(event.deltaY * 0.002), ...toMap(event.clientX, event.clientY));
  }, { passive: false });

  // dragging pans, two fingers pinch; a drag does not follow the link it started on
  const pointers = new Map();
  let moved = false, pinch = 0;
  svg.addEventListener("pointerdown", (event) => {
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    moved = false;
    pinch = 0;
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
  svg.addEventListener("click", (event) => {
    if (moved) { event.preventDefault(); event.stopPropagation(); moved = false; }
  }, true);
  svg.style.touchAction = "none";

  const bar = document.createElement("div");
  bar.className = "map-zoom";
  const buttons = [["+", "Zoom in", () => zoom(0.6, ...centre())],
                   ["\u2212", "Zoom out", () => zoom(1 / 0.6, ...centre())],
                   ["\u21ba", "Show the whole map", () => { view = { x: X0, y: Y0, w: W, h: H }; apply(); }]];
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
  figure.setAttribute("aria-label", "Map: + and - zoom, arrow keys pan, 0 shows it all");
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
