/* The hall screen: announce each new call by voice (语音叫号) after htmx swaps in the live part.
   Optional: the screen works without it; browsers may need the screen started with autoplay
   allowed (e.g. Chromium's --autoplay-policy=no-user-gesture-required) for speech to play. */
(function () {
  "use strict";
  var last = null;
  function announce() {
    var body = document.querySelector("[data-signature]");
    var number = document.querySelector("[data-latest-number]");
    if (!body || !number) {
      return;
    }
    var signature = body.getAttribute("data-signature");
    if (last !== null && signature !== last && window.speechSynthesis) {
      var text = number.getAttribute("data-say") || number.textContent;
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = document.documentElement.lang || "zh-CN";
      window.speechSynthesis.speak(utterance);
    }
    last = signature;
  }
  document.addEventListener("DOMContentLoaded", announce);
  document.addEventListener("htmx:afterSwap", announce);
})();
