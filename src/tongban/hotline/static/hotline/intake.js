/* The intake page (接听登记): keyboard shortcuts and the live knowledge search.
   The page works without this file: the form posts, the knowledge search is a plain form. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  ready(function () {
    var form = document.getElementById("intake-form");
    if (!form) {
      return;
    }
    var hits = document.getElementById("knowledge-hits");
    var kbBox = document.getElementById("kb-q");

    // The knowledge base is searched with what the operator types into the title and content;
    // the search box beside it shows the words searched and can be edited to refine them.
    var timer = null;
    var lastQuery = "";
    function searchKnowledge() {
      var parts = [];
      form.querySelectorAll("[data-knowledge]").forEach(function (el) {
        if (el.value.trim()) {
          parts.push(el.value.trim());
        }
      });
      var q = parts.join(" ").slice(-200).trim();
      if (q.length < 2 || q === lastQuery || !window.htmx || !hits) {
        return;
      }
      lastQuery = q;
      if (kbBox) {
        kbBox.value = q;
      }
      window.htmx.ajax("GET", hits.getAttribute("data-url") + "&q=" + encodeURIComponent(q), {
        target: "#knowledge-hits",
        swap: "innerHTML",
      });
    }
    form.querySelectorAll("[data-knowledge]").forEach(function (el) {
      el.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(searchKnowledge, 400);
      });
    });

    function focus(selector) {
      var el = document.querySelector(selector);
      if (el) {
        el.focus();
        if (el.select) {
          el.select();
        }
      }
    }

    // Shortcuts: Alt+1…6 pick a triage outcome, Ctrl+Enter saves, Alt+K/L/S jump to a field.
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey && !event.altKey && event.key === "Enter") {
        event.preventDefault();
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
        return;
      }
      if (!event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var digit = /^Digit([1-9])$/.exec(event.code || "");
      if (digit) {
        var radio = form.querySelector('input[name="triage"][data-key="' + digit[1] + '"]');
        if (radio) {
          event.preventDefault();
          radio.checked = true;
          radio.dispatchEvent(new Event("change", { bubbles: true }));
          radio.focus();
        }
        return;
      }
      var jumps = { KeyK: "#kb-q", KeyL: "#id_address", KeyS: "#id_subject_code" };
      if (jumps[event.code]) {
        event.preventDefault();
        focus(jumps[event.code]);
      }
    });
  });
})();
