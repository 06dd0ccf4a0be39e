  // Shared by both snippet variants (templates/tracking/core.js). Nothing here runs by itself:
  // the variant code calls it only after consent (load) or to forget (disable, forget).
  var MAUTIC = cfg.mauticUrl;
  var MAUTIC_NAME = /^(mtc|mautic)/i;
  function noop() {}
  function warn(msg) {
    try { w.console.warn("[mautic-consent] " + msg); } catch (e) { /* no console */ }
  }
  function onRightSite() {
    if (w.location.origin === cfg.website) return true;
    warn("inactive: generated for " + cfg.website + ", running on " + w.location.origin);
    return false;
  }
  // Injects mauticUrl + "/mtc.js" and queues one pageview. At most once per page (s.loaded).
  function loadMautic(s) {
    if (s.loaded || s.disabled) return false;
    s.loaded = true;
    if (w.MauticJS) {
      warn("mtc.js is already on this page from another embed; remove that embed, it ignores consent");
      return false;
    }
    w.MauticTrackingObject = "mt";
    var mt = function () { (mt.q = mt.q || []).push(arguments); };
    w.mt = mt;
    var tag = d.createElement("script");
    tag.async = true;
    tag.src = MAUTIC + "/mtc.js";
    tag.setAttribute("data-mautic-snippet", "mtc");
    tag.onload = function () { if (s.disabled) disableMautic(s); };
    (d.head || d.documentElement).appendChild(tag);
    s.tag = tag;
    mt("send", "pageview");
    return true;
  }
  // Stops tracking on this page without a reload: the mt() queue becomes a no-op and every
  // function of mtc.js's MauticJS object is replaced by a no-op, so pending timers, listeners
  // and late responses can neither send requests nor write cookies.
  function disableMautic(s) {
    s.disabled = true;
    w.mt = noop;
    var m = w.MauticJS;
    if (m && typeof m === "object") {
      for (var k in m) {
        try { if (typeof m[k] === "function") m[k] = noop; } catch (e) { /* read-only member */ }
      }
      try { m.CORSRequestsAllowed = false; } catch (e) { /* ignore */ }
    }
    if (s.tag && s.tag.parentNode) s.tag.parentNode.removeChild(s.tag);
  }
  // Deletes what mtc.js stores on the website's side: every mtc*/mautic* cookie (host-only and
  // on each parent domain, on "/" and on each prefix of the current path) and every
  // mtc*/mautic* key in localStorage and sessionStorage.
  function forgetMautic() {
    var names = [], i, j, k;
    var jar = d.cookie ? d.cookie.split(";") : [];
    for (i = 0; i < jar.length; i++) {
      var name = jar[i].split("=")[0].replace(/^\s+|\s+$/g, "");
      if (MAUTIC_NAME.test(name) && names.indexOf(name) < 0) names.push(name);
    }
    if (names.length) {
      var host = w.location.hostname, domains = [""];
      if (!/^[0-9.]+$/.test(host) && host.indexOf(":") < 0) {
        var labels = host.split(".");
        for (i = 0; i < labels.length - 1; i++) domains.push(labels.slice(i).join("."));
      }
      var paths = ["/"], segs = w.location.pathname.split("/"), acc = "";
      for (i = 1; i < segs.length; i++) {
        if (!segs[i]) continue;
        acc += "/" + segs[i];
        paths.push(acc, acc + "/");
      }
      var gone = "=; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0" +
        (w.location.protocol === "https:" ? "; secure" : "");
      for (i = 0; i < names.length; i++) {
        for (j = 0; j < domains.length; j++) {
          for (k = 0; k < paths.length; k++) {
            d.cookie = names[i] + gone + "; path=" + paths[k] + (domains[j] ? "; domain=" + domains[j] : "");
          }
        }
      }
    }
    var stores = ["localStorage", "sessionStorage"];
    for (i = 0; i < stores.length; i++) {
      try {
        var st = w[stores[i]];
        for (j = st.length - 1; j >= 0; j--) {
          var key = st.key(j);
          if (key && MAUTIC_NAME.test(key)) st.removeItem(key);
        }
      } catch (e) { /* storage blocked: nothing was stored there either */ }
    }
  }
  // Only when consent is withdrawn and the kit's edge serves it (cfg.forgetPath): one POST to the
  // Mautic host whose response expires Mautic's own cookies there (mtc_id, mautic_device_id, ...),
  // which no script on the website can reach. The edge answers it; Mautic never sees it.
  // A forget request waits for a grant still in flight, so the grant's answer can never set the
  // consent cookie again after the forget's answer deleted it.
  var granting = null;
  function forgetOnMauticHost() {
    if (!cfg.forgetPath || typeof w.fetch !== "function") return;
    var send = function () {
      try {
        return w.fetch(MAUTIC + cfg.forgetPath, { method: "POST", mode: "cors", credentials: "include", keepalive: true, cache: "no-store", referrerPolicy: "no-referrer" })["catch"](noop);
      } catch (e) { /* nothing to do */ }
    };
    if (granting) granting.then(send); else send();
  }
  // Only on consent and when the kit's edge serves it (cfg.grantPath): one POST to the Mautic host
  // whose answer sets the consent cookie there; without it the edge lets none of Mautic's
  // tracking cookies through. `then` runs once the answer (or a failure) is in, at most after 5 s:
  // Mautic then works without its host cookies, never the other way round.
  function grantOnMauticHost(then) {
    if (!cfg.grantPath || typeof w.fetch !== "function" || typeof w.Promise !== "function") { then(); return; }
    var done = false;
    var finish = function () { if (!done) { done = true; then(); } };
    try {
      granting = w.fetch(MAUTIC + cfg.grantPath, { method: "POST", mode: "cors", credentials: "include", cache: "no-store", referrerPolicy: "no-referrer" })
        .then(noop, noop);
      granting.then(finish);
      w.setTimeout(finish, 5000);
    } catch (e) { finish(); }
  }
  function announce(choice) {
    try { d.dispatchEvent(new CustomEvent("mautic-consent", { detail: { choice: choice } })); } catch (e) { /* old browser */ }
  }
