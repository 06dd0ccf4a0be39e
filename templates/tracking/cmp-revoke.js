(function (w, d, cfg) {
  "use strict";
  // Runs when the consent manager disables the category after it was enabled.
{{core}}
  if (w.MauticConsent && typeof w.MauticConsent.revoke === "function") w.MauticConsent.revoke();
  else if (onRightSite()) { forgetMautic(); forgetOnMauticHost(); }
})(window, document, {{config}});
