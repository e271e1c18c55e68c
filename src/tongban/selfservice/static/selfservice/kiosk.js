/* The self-service terminal's idle guard: after the idle limit without a touch, a key or a
   pointer move, the page goes to the kiosk's leave address (which forgets the visitor and
   returns to the start page). The server enforces the same limit on its own. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-kiosk-idle]");
    if (!root) {
      return;
    }
    var seconds = parseInt(root.getAttribute("data-kiosk-idle"), 10) || 120;
    var target = root.getAttribute("data-kiosk-leave");
    var start = root.getAttribute("data-kiosk-start");
    var note = root.querySelector("[data-kiosk-countdown]");
    var timer = null;
    var warn = null;
    function arm() {
      clearTimeout(timer);
      clearTimeout(warn);
      if (note) {
        note.hidden = true;
      }
      warn = setTimeout(function () {
        if (note) {
          note.hidden = false;
        }
      }, Math.max(seconds - 20, 1) * 1000);
      timer = setTimeout(function () {
        // On the start page with nobody identified there is nothing to leave.
        if (window.location.pathname === start && !document.querySelector(".user-chip")) {
          arm();
          return;
        }
        window.location.assign(target);
      }, seconds * 1000);
    }
    ["pointerdown", "keydown", "touchstart", "input", "scroll"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true });
    });
    arm();
  });
})();
