// Progressive enhancement only: every page works without this file.
// Filter menus and the "as of" date apply as soon as they change.
document.addEventListener("change", (event) => {
  const field = event.target;
  const form = field.closest("form.filters, form.asof");
  if (form && (field.tagName === "SELECT" || field.type === "date")) {
    form.requestSubmit();
  }
});
