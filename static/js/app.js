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
  // Time-zone pickers: a filter box above the select, and this device's zone offered as a suggestion.
  // Without JavaScript the select alone works (common zones first). Texts come from data attributes
  // on the select so they can be translated in the template.
  document.querySelectorAll("select[data-time-zone-picker]").forEach((select) => {
    const filter = document.createElement("input");
    filter.type = "search";
    filter.className = "form-control mb-2";
    filter.id = `${select.id}-filter`;
    filter.placeholder = select.dataset.filterPlaceholder || "Type to filter, e.g. Tokyo";
    filter.setAttribute("aria-label", select.dataset.filterLabel || "Filter time zones");
    filter.setAttribute("aria-controls", select.id);
    filter.addEventListener("input", () => {
      const words = filter.value.trim().toLowerCase().replace(/[ _]+/g, " ");
      let first = null;
      select.querySelectorAll("option").forEach((option) => {
        const match = !words || option.textContent.toLowerCase().includes(words);
        option.hidden = !match;
        if (match && !first) first = option;
      });
      if (words && first && select.selectedOptions[0]?.hidden) select.value = first.value;
    });
    select.before(filter);
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const option = zone && Array.from(select.options).find((o) => o.value === zone);
    if (option && select.value !== zone) {
      const suggest = document.createElement("button");
      suggest.type = "button";
      suggest.className = "btn btn-link btn-sm px-0";
      suggest.dataset.timeZoneSuggestion = zone;
      suggest.textContent = (select.dataset.suggestText || "Use this device's time zone: %s").replace("%s", option.textContent);
      suggest.addEventListener("click", () => {
        select.value = zone;
        suggest.remove();
      });
      select.after(suggest);
    }
  });
});
