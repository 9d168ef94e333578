// vibesite default theme: what the pages do with JavaScript (they work without it).
// - the class "js" on <html> before the first paint (the map's size with static/map.js);
// - the light / dark / automatic switch in the header, remembered in localStorage
//   ("vibesite-theme"); loaded in <head> without defer, this file applies the choice before
//   the first paint, and does the rest once the page is parsed;
// - a Copy button on each code block of an article, announced to screen readers;
// - the table of contents, folded in the page's HTML, is opened beside the text on wide screens;
// - ```mermaid diagrams drawn by mermaid (strict security, the page's light or dark), loaded only
//   on a page that has one (its <meta name="vibesite-diagrams">); without it, their source shows.
// Its words are English unless the page hands others (<script id="vs-words">, read once the
// page is parsed: vibesite.site.words, the [script] keys of templates/i18n/<language>.toml).
(function () {
  "use strict";
  var KEY = "vibesite-theme";
  var ORDER = ["auto", "light", "dark"];
  var ENGLISH = {
    theme: "Theme: {name}",
    theme_auto: "automatic (as your system)",
    theme_light: "light",
    theme_dark: "dark",
    copy: "Copy",
    copy_label: "Copy code block {number}",
    copied: "Copied",
    copied_status: "Code block {number} copied",
    copy_key: "Press Ctrl+C",
    copy_failed: "Could not copy; select the code and copy it",
  };
  var root = document.documentElement;
  var words = null;

  /** The words of `key`, `{number}` and `{name}` filled in. */
  function word(key, values) {
    if (words === null) {
      words = {};
      var node = document.getElementById("vs-words");
      try { if (node) words = JSON.parse(node.textContent); } catch (e) { words = {}; }
    }
    var text = String(words[key] || ENGLISH[key]);
    return text.replace(/\{(\w+)\}/g, function (match, name) {
      return values && name in values ? String(values[name]) : match;
    });
  }
  root.classList.add("js");  // styles for pages with scripts, in place before the first paint

  function stored() {
    try {
      var value = localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : "auto";
    } catch (e) {
      return "auto";  // storage blocked: the switch still works for this page
    }
  }

  function apply(theme, button) {
    if (theme === "auto") delete root.dataset.theme;
    else root.dataset.theme = theme;
    try {
      if (theme === "auto") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, theme);
    } catch (e) { /* not remembered */ }
    if (button) {
      button.dataset.state = theme;
      button.querySelector(".theme-switch__label").textContent =
        word("theme", { name: word("theme_" + theme) });
    }
  }

  function themeSwitch() {
    var button = document.querySelector("[data-theme-switch]");
    if (!button) return;
    var theme = root.dataset.theme || stored();
    apply(theme, button);  // sets data-state, which shows the button
    button.addEventListener("click", function () {
      theme = ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length];
      apply(theme, button);
    });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {  // http:// sites: the old way
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var done = document.execCommand("copy");
      area.remove();
      if (done) resolve(); else reject(new Error("copy refused"));
    });
  }

  function copyButtons() {
    var blocks = document.querySelectorAll(".post-content pre:not(.mermaid)");
    if (!blocks.length) return;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    document.body.appendChild(status);
    Array.prototype.forEach.call(blocks, function (pre, index) {
      var wrapper = document.createElement("div");
      wrapper.className = "code-block";
      pre.parentNode.insertBefore(wrapper, pre);
      wrapper.appendChild(pre);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = word("copy");
      button.setAttribute("aria-label", word("copy_label", { number: index + 1 }));
      wrapper.appendChild(button);
      var timer = 0;
      button.addEventListener("click", function () {
        var code = pre.querySelector("code") || pre;
        copyText(code.textContent.replace(/\n$/, "")).then(function () {
          button.textContent = word("copied");
          status.textContent = word("copied_status", { number: index + 1 });
        }, function () {
          button.textContent = word("copy_key");
          status.textContent = word("copy_failed");
        });
        clearTimeout(timer);
        timer = setTimeout(function () { button.textContent = word("copy"); }, 2000);
      });
    });
  }

  function openContents() {
    var toc = document.querySelector(".toc details");
    if (toc && window.matchMedia("(min-width: 76rem)").matches) toc.open = true;
  }

  function diagrams() {
    var meta = document.querySelector('meta[name="vibesite-diagrams"]');
    var blocks = document.querySelectorAll(".post-content pre.mermaid");
    if (!meta || !blocks.length) return;
    var script = document.createElement("script");
    script.src = meta.content;
    script.onload = function () {
      var theme = root.dataset.theme || (window.matchMedia("(prefers-color-scheme: dark)").matches
                                         ? "dark" : "light");
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict",
                                  theme: theme === "dark" ? "dark" : "default" });
      window.mermaid.run({ nodes: blocks });
    };
    document.head.appendChild(script);
  }

  var chosen = stored();
  if (chosen !== "auto") root.dataset.theme = chosen;
  function ready() {
    themeSwitch();
    copyButtons();
    openContents();
    diagrams();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
