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
  // Print buttons are hidden without JavaScript (there is nothing to click then); with it they
  // are shown and print the page (CSS @media print leaves the header and the buttons out).
  function wirePrintButtons(root) {
    root.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }
  // A panel such as the catalogue filters is open in the HTML (it works without JavaScript);
  // on a narrow screen it starts folded so that the results come first.
  function foldOnNarrowScreens(root) {
    root.querySelectorAll("details[data-fold-below]").forEach(function (details) {
      var width = parseInt(details.getAttribute("data-fold-below"), 10) || 0;
      if (window.matchMedia("(max-width: " + (width - 1) + "px)").matches) {
        details.open = false;
      }
    });
  }
  // Folded details (legal basis, FAQ) are printed open, and folded again afterwards.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      openedForPrint.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) {
      details.open = false;
    });
    openedForPrint = [];
  });
  document.addEventListener("DOMContentLoaded", function () {
    wirePrintButtons(document);
    foldOnNarrowScreens(document);
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
