/* The objection form: "Get a code" sends the code without leaving the page (without script, the button posts
 * the form to the code address, which shows the form again as typed). */
(function () {
  "use strict";
  var form = document.getElementById("objection-form");
  var button = document.getElementById("objection-code-button");
  var status = document.getElementById("objection-code-status");
  if (!form || !button || !status) { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // Enter in a one-line field files the objection from the code field, and otherwise does nothing (it would
  // press the first button of the form: "Get a code").
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target || target.tagName !== "INPUT" || target.type === "checkbox") { return; }
    event.preventDefault();
    if (target.name === "code") { document.getElementById("objection-submit").click(); }
  });
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var data = new FormData();
    data.append("mobile", form.elements.mobile.value);
    button.disabled = true;
    fetch(button.getAttribute("formaction"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" }
    }).then(function (r) { return r.json(); }).then(function (body) {
      status.textContent = body.message || "";
      status.classList.toggle("is-error", !body.ok);
      window.setTimeout(function () { button.disabled = false; }, body.ok ? 60000 : 0);
      if (body.ok && form.elements.code) { form.elements.code.focus(); }
    }, function () { button.disabled = false; });
  });
})();
