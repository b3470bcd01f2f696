// Sends the form to the tool at once (LTI's form posts); without JavaScript, its button does it.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autopost]");
  if (form) form.submit();
});
