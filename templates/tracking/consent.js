(function (w, d, cfg) {
  "use strict";
  // One instance per page: a second copy of this (or the CMP) snippet stays inert.
  if (w.MauticConsent) return;
{{core}}
  if (!onRightSite()) return;

  var KEY = cfg.storageKey;
  var DAY = 864e5;
  var s = { loaded: false, disabled: false, tag: null };
  var ui = { root: null, status: null, open: null, returnTo: null };
  var de = /^de(-|$)/i.test(d.documentElement.getAttribute("lang") || "");
  var t = de ? cfg.texts.de : cfg.texts.en;
  var lang = de ? "de" : "en";
  var choice = null;
  // A stored "granted" that expired or belongs to an older revision: the Mautic host may still
  // hold the consent cookie. That consent no longer counts (it was given to other texts, or is
  // too old), so the page load that finds it sends the forget request at once, before the
  // visitor decides again; it is not left until a rejection.
  var staleGrant = false;

  // The visitor's choice: {"v":1,"rev":"<revision hash>","choice":"granted"|"denied","date":"YYYY-MM-DD"}
  // under localStorage[KEY]. It holds no identifier. Expired, malformed or older-revision
  // records are deleted and the banner asks again.
  function readChoice() {
    var raw = null, v = null;
    try { raw = w.localStorage.getItem(KEY); } catch (e) { return null; }
    if (raw === null) return null;
    try { v = JSON.parse(raw); } catch (e) { v = null; }
    var age = v && typeof v.date === "string" ? Date.now() - Date.parse(v.date) : NaN;
    if (!v || v.v !== 1 || v.rev !== cfg.revision || (v.choice !== "granted" && v.choice !== "denied") ||
        !(age > -DAY && age < cfg.maxAgeDays * DAY)) {
      if (v && v.choice === "granted") staleGrant = true;
      try { w.localStorage.removeItem(KEY); } catch (e) { /* ignore */ }
      return null;
    }
    return v.choice;
  }
  function writeChoice(c) {
    try {
      w.localStorage.setItem(KEY, JSON.stringify({ v: 1, rev: cfg.revision, choice: c, date: new Date().toISOString().slice(0, 10) }));
    } catch (e) { /* storage blocked: the choice holds for this page only */ }
  }

  function el(tag, attrs, text) {
    var e = d.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text) e.appendChild(d.createTextNode(text));
    return e;
  }
  function button(c, label) {
    var b = el("button", { type: "button", "class": "mcc-btn", "data-mcc": c }, label);
    b.addEventListener("click", function () { decide(c); });
    return b;
  }
  function build() {
    var root = el("div", {
      id: "mautic-consent", role: "dialog", "aria-modal": "false", "aria-labelledby": "mautic-consent-title",
      "aria-describedby": "mautic-consent-text", tabindex: "-1", lang: lang
    });
    root.hidden = true;
    root.appendChild(el("h2", { id: "mautic-consent-title" }, t.title));
    var text = el("p", { id: "mautic-consent-text" }, t.text);
    text.appendChild(d.createTextNode(" "));
    text.appendChild(el("span", { id: "mautic-consent-storage" }, t.storage));
    root.appendChild(text);
    if (cfg.privacyPolicyUrl || cfg.imprintUrl) {
      var links = el("p", { "class": "mcc-links" });
      if (cfg.privacyPolicyUrl) links.appendChild(el("a", { href: cfg.privacyPolicyUrl, "data-mcc-link": "privacy" }, t.privacyLink));
      if (cfg.privacyPolicyUrl && cfg.imprintUrl) links.appendChild(d.createTextNode(" \u00b7 "));
      if (cfg.imprintUrl) links.appendChild(el("a", { href: cfg.imprintUrl, "data-mcc-link": "imprint" }, t.imprintLink));
      root.appendChild(links);
    }
    ui.status = el("p", { id: "mautic-consent-status", role: "status" });
    root.appendChild(ui.status);
    var row = el("div", { "class": "mcc-actions" });
    row.appendChild(button("denied", t.reject));
    row.appendChild(button("granted", t.accept));
    root.appendChild(row);
    root.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && choice) { e.preventDefault(); hide(); }
    });
    d.body.insertBefore(root, d.body.firstChild);
    ui.root = root;
    if (cfg.settingsButton) {
      ui.open = el("button", {
        type: "button", id: "mautic-consent-open", "class": "mcc-open", "aria-haspopup": "dialog",
        "aria-controls": "mautic-consent", "aria-expanded": "false", lang: lang
      }, t.settings);
      ui.open.hidden = true;
      ui.open.addEventListener("click", function () { show(true); });
      // In the page flow right after the banner, at the top of the page: it never lies over the
      // page's own content (not even a fixed footer's imprint link), and a fixed footer never hides it.
      d.body.insertBefore(ui.open, root.nextSibling);
    }
  }
  function show(focus) {
    if (!ui.root) return;
    ui.status.textContent = choice === "granted" ? t.statusGranted : choice === "denied" ? t.statusDenied : "";
    ui.status.hidden = !choice;
    if (ui.root.hidden) ui.returnTo = d.activeElement && d.activeElement !== d.body ? d.activeElement : null;
    ui.root.hidden = false;
    if (ui.open) { ui.open.hidden = true; ui.open.setAttribute("aria-expanded", "true"); }
    if (focus) ui.root.focus();
  }
  function hide() {
    if (!ui.root) return;
    var hadFocus = ui.root.contains(d.activeElement);
    ui.root.hidden = true;
    if (ui.open) { ui.open.hidden = !choice; ui.open.setAttribute("aria-expanded", "false"); }
    if (!hadFocus) return;
    var back = ui.returnTo && ui.returnTo.isConnected ? ui.returnTo : ui.open;
    if (back && !back.hidden) back.focus();
    else if (d.activeElement && d.activeElement.blur) d.activeElement.blur();
  }
  // accept and reject are the same one-step action; rejecting after accepting is the revocation.
  function decide(c) {
    var before = choice;
    choice = c;
    writeChoice(c);
    hide();
    if (c === "granted") {
      staleGrant = false;
      // Consent cookie on the Mautic host first, then Mautic (no-op when already loaded, or when
      // revoked earlier on this page: tracking resumes on the next page).
      if (before !== "granted") grantOnMauticHost(function () { if (choice === "granted") loadMautic(s); });
    } else {
      if (s.loaded) disableMautic(s);
      else w.mt = noop;
      forgetMautic();
      if (before === "granted" || staleGrant) forgetOnMauticHost();
      staleGrant = false;
    }
    announce(c);
  }
  // Another tab changed the choice, or the page came back from the back/forward cache.
  function sync() {
    var c = readChoice();
    if (c === choice) return;
    choice = c;
    if (c !== "granted" && s.loaded && !s.disabled) { disableMautic(s); forgetMautic(); }
    if (c) hide(); else show(false);
  }

  w.MauticConsent = Object.freeze({
    version: 1,
    variant: "banner",
    status: function () { return choice || "unset"; },
    loaded: function () { return s.loaded && !s.disabled; },
    accept: function () { decide("granted"); },
    reject: function () { decide("denied"); },
    revoke: function (opts) { decide("denied"); if (opts && opts.reload) w.location.reload(); },
    open: function () { show(true); },
    close: function () { if (choice) hide(); }
  });
  if (typeof w.mt === "undefined") w.mt = noop; // mt() calls made before consent are dropped, not queued
  else if (w.MauticJS || w.MauticTrackingObject) warn("Mautic is already embedded outside this snippet; remove that embed, it ignores consent");

  function start() {
    choice = readChoice();
    if (staleGrant) { staleGrant = false; forgetOnMauticHost(); }
    build();
    if (choice === "granted") loadMautic(s);
    else forgetMautic(); // no consent: also remove what an earlier, ungated embed may have left
    if (choice) hide();
    else show(!d.activeElement || d.activeElement === d.body);
    d.addEventListener("click", function (e) {
      var hit = e.target && e.target.closest ? e.target.closest("[data-mautic-consent-open],[data-mautic-consent-revoke]") : null;
      if (!hit) return;
      e.preventDefault();
      if (hit.hasAttribute("data-mautic-consent-revoke")) decide("denied");
      else show(true);
    });
    w.addEventListener("storage", function (e) { if (e.key === KEY || e.key === null) sync(); });
    w.addEventListener("pageshow", function (e) { if (e.persisted) sync(); });
  }
  if (d.body) start();
  else d.addEventListener("DOMContentLoaded", start);
})(window, document, {{config}});
