// "Link to this view": the address the browser shows, in a read-only field with a Copy
// button. Mounted by em_ui/links.py. The address is read from the browser because the page
// changes it without a full run (a step of the view moves only the half-step in it), so
// the field reads it again whenever it may have changed.

function copyText(field) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(field.value);
  }
  // Plain http on a class network: the clipboard API is not offered, the selection is.
  field.select();
  return document.execCommand("copy") ? Promise.resolve() : Promise.reject();
}

export default function (component) {
  const { parentElement } = component;
  let box = parentElement.__emLink;
  if (!box) {
    const root = document.createElement("div");
    root.className = "em-link";
    const label = document.createElement("label");
    label.textContent = "Link to this view";
    const field = document.createElement("input");
    field.type = "text";
    field.readOnly = true;
    field.spellcheck = false;
    field.setAttribute("aria-label", "Link to this view");
    label.append(field);
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Copy";
    button.title = "Copy the link: it opens this page with these settings at this half-step.";
    root.append(label, button);
    parentElement.append(root);
    const refresh = () => {
      if (field.value !== window.location.href) field.value = window.location.href;
    };
    field.addEventListener("focus", () => { refresh(); field.select(); });
    button.addEventListener("click", () => {
      refresh();
      copyText(field).then(
        () => { button.textContent = "Copied"; },
        () => { field.select(); button.textContent = "Press Ctrl+C"; },
      );
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
    box = { refresh, timer: setInterval(refresh, 500) };
    parentElement.__emLink = box;
  }
  box.refresh();
  return () => {
    clearInterval(box.timer);
    delete parentElement.__emLink;
  };
}
