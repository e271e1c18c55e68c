/* tongban: small enhancements only; every page works without this file. */
(function () {
  "use strict";
  // An error summary takes focus when the page loads, so that keyboard and screen-reader
  // users hear what went wrong first (GOV.UK pattern).
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
  });
  // After an htmx swap, focus the new error summary or the new heading.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) {
      return;
    }
    var next = target.querySelector("[data-autofocus]") || target.querySelector("h1, h2");
    if (next) {
      if (!next.hasAttribute("tabindex")) {
        next.setAttribute("tabindex", "-1");
      }
      next.focus();
    }
  });
})();
