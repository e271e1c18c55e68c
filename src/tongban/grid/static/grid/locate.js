/* The grid event form: "use my position" fills the hidden latitude/longitude fields from the
   browser when the worker allows it. Without this script (or without permission) the address
   alone places the event. CSP-compatible: no inline script, no eval. */
(function () {
  "use strict";
  var box = document.querySelector("[data-locate]");
  if (!box || !("geolocation" in navigator)) {
    return;
  }
  var button = box.querySelector("button");
  var status = box.querySelector("[data-locate-status]");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  box.hidden = false;
  function say(text) {
    status.textContent = text;
  }
  button.addEventListener("click", function () {
    say(box.getAttribute("data-msg-wait"));
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        say(box.getAttribute("data-msg-done") + " " + lat.value + ", " + lon.value);
      },
      function () {
        lat.value = "";
        lon.value = "";
        say(box.getAttribute("data-msg-fail"));
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
