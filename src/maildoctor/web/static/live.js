// maildoctor web: the live check (server-sent events) and the copy button. No inline script
// anywhere (the Content-Security-Policy forbids it); without JavaScript the form still works and
// the answer comes whole when the check is done.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    document.documentElement.classList.add("js");
    var live = document.querySelector("#check-form input[name=live]");
    if (live && window.EventSource) { live.value = "1"; }
    var box = document.getElementById("live");
    if (box && window.EventSource) {
      var source = new EventSource(box.getAttribute("data-stream"));
      var steps = document.getElementById("steps");
      var picture = document.getElementById("picture");
      var answer = document.getElementById("answer");
      // every (re)connection replays the steps from the first: start the list afresh
      source.addEventListener("open", function () { steps.innerHTML = ""; });
      source.addEventListener("step", function (e) { steps.insertAdjacentHTML("beforeend", e.data); });
      source.addEventListener("picture", function (e) { picture.innerHTML = e.data; });
      source.addEventListener("answer", function (e) {
        source.close();
        answer.innerHTML = e.data;
        box.setAttribute("aria-busy", "false");
        // the answer has the whole picture: the one drawn while it ran goes, the steps fold away
        var running = document.getElementById("live-picture");
        if (running) { running.parentNode.removeChild(running); }
        var finished = document.getElementById("live-steps");
        if (finished) { finished.open = false; }
        if (window.htmx) { window.htmx.process(answer); }
        var heading = answer.querySelector(".verdict");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      });
    }
    document.addEventListener("click", function (e) {
      var button = e.target.closest ? e.target.closest("[data-copy]") : null;
      if (!button) { return; }
      var text = document.getElementById(button.getAttribute("data-copy"));
      if (text && navigator.clipboard) {
        navigator.clipboard.writeText(text.value).then(function () { button.classList.add("copied"); });
      } else if (text) { text.select(); }
    });
  });
})();
