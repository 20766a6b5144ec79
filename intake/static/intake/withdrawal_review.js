// The daily withdrawal review: the outcome is asked for only when the decision is "complete"
// (a transfer's outcome is "transferred", continue and amend take none). Without this script
// the outcome stays visible and the server says when it is missing or not wanted.
(function () {
  "use strict";
  var form = document.querySelector("form[data-withdrawal-review]");
  if (!form) { return; }
  var outcome = form.querySelector("[data-show-for]");
  if (!outcome) { return; }
  var select = outcome.querySelector("select");
  function update() {
    var chosen = form.querySelector("input[name=decision]:checked");
    var show = chosen && chosen.value === outcome.getAttribute("data-show-for");
    outcome.hidden = !show;
    if (!show && select) { select.value = ""; }
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "decision") { update(); }
  });
  update();
})();
