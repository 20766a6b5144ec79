/* Instrument form: the running total and how many items are answered, from the points on
   each checked answer (data-points on the radio). */
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form) {
    return;
  }
  var total = document.getElementById("running-total");
  var answered = document.getElementById("answered");
  var items = form.querySelectorAll("fieldset.item").length;
  function update() {
    var sum = 0, n = 0;
    form.querySelectorAll("input[type=radio]:checked").forEach(function (r) {
      sum += parseInt(r.dataset.points || "0", 10);
      n += 1;
    });
    total.textContent = sum;
    answered.textContent = "(" + n + " of " + items + " answered)";
  }
  form.addEventListener("change", update);
  update();
})();
