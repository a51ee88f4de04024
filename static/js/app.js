// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Confirmation for destructive forms: <form data-confirm="Are you sure?">
  document.body.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // Elements that toggle a target's visibility: <button data-toggle-target="#id">
  document.body.addEventListener("click", (event) => {
    const trigger = event.target.closest("[data-toggle-target]");
    if (!trigger) return;
    const target = document.querySelector(trigger.dataset.toggleTarget);
    if (target) {
      target.hidden = !target.hidden;
      trigger.setAttribute("aria-expanded", String(!target.hidden));
      if (!target.hidden) target.querySelector("input, textarea, select")?.focus();
    }
  });
});
