(function (w, d, cfg) {
  "use strict";
  // Runs when the consent manager enables the category. Once per page, even when the consent
  // manager executes this script again (toggle, double event, second copy of the snippet).
  if (w.MauticConsent) return;
{{core}}
  if (!onRightSite()) return;
  var s = { loaded: false, disabled: false, tag: null };
  w.MauticConsent = Object.freeze({
    version: 1,
    variant: "cmp",
    status: function () { return s.disabled ? "denied" : "granted"; },
    loaded: function () { return s.loaded && !s.disabled; },
    // Call from the consent manager's "declined"/"changed" callback; the "!category" script
    // below does it for consent managers that support that convention.
    revoke: function (opts) {
      var first = !s.disabled;
      disableMautic(s);
      forgetMautic();
      if (first) { forgetOnMauticHost(); announce("denied"); }
      if (opts && opts.reload) w.location.reload();
    }
  });
  // The consent cookie on the Mautic host first (the kit's edge), then Mautic.
  grantOnMauticHost(function () { if (!s.disabled) loadMautic(s); });
  announce("granted");
})(window, document, {{config}});
