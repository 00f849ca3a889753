// Clinician or plain-language (patient) view of the pages that have both. Loaded in <head>
// as a classic script so the chosen view shows from the first paint. The choice is kept in
// localStorage, shared by every page and every version of the site; the default, and the view
// without script, is the clinician one. Nothing is hidden but the other view's wording:
// warnings and the "talk to your care team" notice are part of the patient view itself.
(function () {
  "use strict";
  var KEY = "nenguide-reader";
  var VIEWS = ["clinician", "patient"];
  var root = document.documentElement;

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return VIEWS.indexOf(value) >= 0 ? value : "clinician";
    } catch (error) {
      return "clinician"; // storage refused (private mode, policy): keep the default
    }
  }

  function show(view) {
    root.setAttribute("data-nen-reader", view);
    var inputs = document.querySelectorAll('input[name="nen-reader"]');
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].checked = inputs[i].value === view;
    }
  }

  function choose(view) {
    try {
      window.localStorage.setItem(KEY, view);
    } catch (error) {
      // Not kept across pages, but this page still switches.
    }
    show(view);
  }

  root.classList.add("nen-js");
  show(stored());
  document.addEventListener("DOMContentLoaded", function () {
    var choices = document.querySelectorAll("fieldset.nen-reader");
    for (var i = 0; i < choices.length; i++) {
      choices[i].hidden = false;
      choices[i].addEventListener("change", function (event) {
        if (event.target.name === "nen-reader") choose(event.target.value);
      });
    }
    show(stored());
  });
  // Another tab changed the choice: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) show(stored());
  });
})();
