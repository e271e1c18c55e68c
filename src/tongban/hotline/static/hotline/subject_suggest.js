/* The intake page's subject suggestions (智能分类建议): pick one with the keyboard or the mouse
   and it fills the subject field. ↑/↓ (and Home/End) move between the suggestions, Enter or
   Space picks, Alt+J jumps to the first one. Without this file the panel only informs. */
(function () {
  "use strict";

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#subject-suggestions .suggest"));
  }

  function pick(button) {
    var field = document.getElementById("id_subject_code");
    if (!field) {
      return;
    }
    field.value = button.getAttribute("data-pick");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
    items().forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    var live = document.getElementById("suggest-picked");
    if (live) {
      live.textContent = (live.getAttribute("data-prefix") || "已选用：") + field.value;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("#subject-suggestions .suggest") : null;
    if (button) {
      event.preventDefault();
      pick(button);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyJ") {
      var first = items()[0];
      if (first) {
        event.preventDefault();
        first.focus();
      }
      return;
    }
    var button = event.target.closest ? event.target.closest("#subject-suggestions .suggest") : null;
    if (!button || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var list = items();
    var at = list.indexOf(button);
    var to = -1;
    if (event.key === "ArrowDown") {
      to = Math.min(at + 1, list.length - 1);
    } else if (event.key === "ArrowUp") {
      to = Math.max(at - 1, 0);
    } else if (event.key === "Home") {
      to = 0;
    } else if (event.key === "End") {
      to = list.length - 1;
    }
    if (to >= 0) {
      event.preventDefault();
      list[to].focus();
    }
  });
})();
