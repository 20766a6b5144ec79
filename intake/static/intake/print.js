/* Print buttons: <button class="js-print" type="button">. A static file, not onclick="", so
   the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
