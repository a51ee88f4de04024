// A form is sent once: its submit buttons are disabled while the request is under way.
// The server settles double submits anyway (each create form carries an idempotency key); this
// spares people the doubt of a second click. Buttons come back when the browser shows the page
// again from its back/forward cache and when an htmx request ends, successfully or not.
(() => {
  const BUTTONS = "button[type=submit], button:not([type]), input[type=submit]";

  const hold = (form) => {
    form.querySelectorAll(BUTTONS).forEach((button) => {
      if (!button.disabled) {
        button.disabled = true;
        button.dataset.submitOnceDisabled = "";
      }
    });
  };

  const release = (root) => {
    root.querySelectorAll("[data-submit-once-disabled]").forEach((button) => {
      button.disabled = false;
      delete button.dataset.submitOnceDisabled;
    });
    root.querySelectorAll("input[data-submit-once-submitter]").forEach((input) => input.remove());
  };

  const isHtmx = (form) => form.matches("[data-hx-post]");

  // Plain forms. Listening on window runs after the handlers on the form and the body (such as
  // data-confirm), so a submit that was cancelled is left alone.
  window.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || isHtmx(form) || event.defaultPrevented) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    // A disabled button is not sent: keep the name and value of the one that was pressed.
    const submitter = event.submitter;
    if (submitter && submitter.name) {
      const carry = document.createElement("input");
      carry.type = "hidden";
      carry.name = submitter.name;
      carry.value = submitter.value;
      carry.dataset.submitOnceSubmitter = "";
      form.appendChild(carry);
    }
    hold(form);
  });

  // htmx forms: held from the moment the request leaves until it ends.
  const formOf = (event) => {
    const elt = event.detail && event.detail.elt;
    return elt instanceof Element ? elt.closest("form") : null;
  };
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = formOf(event);
    if (form) hold(form);
  });
  document.addEventListener("htmx:afterRequest", (event) => release(formOf(event) || document));

  window.addEventListener("pageshow", () => release(document));
})();
