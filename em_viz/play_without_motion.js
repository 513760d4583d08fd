// Play with no animated transition between its frames when the reader asked for less motion
// (prefers-reduced-motion: reduce), as the app's Play does (em_ui/controls.js): each frame
// is shown as it is, at the same pace. Followed as the setting changes. Used by the exported
// animation (em_viz/exports.py).
function playWithoutMotion(gd) {
  const query = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  if (!query) return;
  const menus = JSON.parse(JSON.stringify(gd.layout.updatemenus || []));
  const apply = () => {
    const shown = JSON.parse(JSON.stringify(menus));
    for (const button of shown.flatMap((menu) => menu.buttons || [])) {
      const options = button.method === "animate" && button.args && button.args[1];
      if (options && options.transition && query.matches) options.transition.duration = 0;
    }
    Plotly.relayout(gd, { updatemenus: shown });
  };
  if (query.matches) apply();
  query.addEventListener("change", apply);
}
