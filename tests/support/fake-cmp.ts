/**
 * A tiny fake consent manager, served by the local site as `/fake-cmp.js`. It does what
 * vanilla-cookieconsent and Klaro do with blocked scripts (behaviour only, no code of theirs):
 * on consent it executes every `<script type="text/plain">` of the category by inserting a
 * copy whose type is `data-type` or "text/javascript"; it stores its own decision in a
 * first-party cookie `fakecmp` and re-applies a stored acceptance on every page load.
 *
 * Modes (attribute `data-mode` on its script tag):
 * - "category" (vanilla-cookieconsent): selects `data-category="<category>"`; on withdrawal
 *   of an accepted category it executes the `data-category="!<category>"` scripts.
 * - "klaro": selects `data-name="mautic"`; on withdrawal it calls the service's decline
 *   callback, which the README tells operators to point at `MauticConsent.revoke()`.
 * It never marks a script as done: calling `accept()` twice executes the scripts twice, the
 * worst case a consent manager can produce (double events, toggling a service off and on).
 */
export const fakeCmpJs = `(function (w, d) {
  var me = d.currentScript;
  var mode = (me && me.getAttribute("data-mode")) || "category";
  var category = (me && me.getAttribute("data-category-name")) || "marketing";
  function stored() {
    var m = /(?:^|; )fakecmp=([^;]*)/.exec(d.cookie);
    return m ? m[1] : null;
  }
  function save(v) { d.cookie = "fakecmp=" + v + "; path=/; max-age=15552000; samesite=lax; secure"; }
  function run(selector) {
    var list = d.querySelectorAll(selector);
    for (var i = 0; i < list.length; i++) {
      var old = list[i], s = d.createElement("script");
      for (var a = 0; a < old.attributes.length; a++) {
        var at = old.attributes[a];
        if (at.name !== "type") s.setAttribute(at.name, at.value);
      }
      s.type = old.getAttribute("data-type") || "text/javascript";
      s.text = old.text;
      w.FakeCmp.executed += 1;
      old.parentNode.insertBefore(s, old.nextSibling);
    }
  }
  function enable() {
    if (mode === "klaro") run('script[type="text/plain"][data-name="mautic"]');
    else run('script[type="text/plain"][data-category="' + category + '"]');
  }
  function withdraw() {
    if (mode === "klaro") { if (w.MauticConsent) w.MauticConsent.revoke(); }
    else run('script[type="text/plain"][data-category="!' + category + '"]');
  }
  w.FakeCmp = {
    executed: 0,
    state: stored,
    accept: function () { save("accepted"); enable(); },
    reject: function () { var was = stored(); save("rejected"); if (was === "accepted") withdraw(); }
  };
  if (stored() === "accepted") {
    if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", enable);
    else enable();
  }
})(window, document);
`;
