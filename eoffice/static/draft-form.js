// Draft form: the signing authority follows the chosen signer until the drafter picks one.
(function () {
  "use strict";
  var signer = document.getElementById("signer");
  var authority = document.getElementById("authority");
  if (!signer || !authority) { return; }
  var touched = false;
  authority.addEventListener("change", function () { touched = true; });
  signer.addEventListener("change", function () {
    var option = signer.options[signer.selectedIndex];
    var value = option ? option.getAttribute("data-authority") : null;
    if (touched || value === null) { return; }
    for (var i = 0; i < authority.options.length; i++) {
      if (authority.options[i].value === value) { authority.selectedIndex = i; return; }
    }
  });
}());
