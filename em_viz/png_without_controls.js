// The camera saves the chart without Play, Pause or a slider: they are controls, not part of
// the picture. plotly copies the layout when the camera is clicked, before it draws the copy,
// so a listener on the chart, which hears the click before the button does (capture phase),
// hides them for that moment and shows them again at once. Used by the app's step buttons
// (em_ui/controls.js) and by the exported animation (em_viz/exports.py).
function pngWithoutControls(gd) {
  gd.addEventListener("click", (event) => {
    if (!event.target.closest('.modebar-btn[data-title^="Download plot"]')) return;
    const hidden = [...(gd.layout.updatemenus || []), ...(gd.layout.sliders || [])]
      .map((control) => [control, control.visible]);
    for (const [control] of hidden) control.visible = false;
    setTimeout(() => {
      for (const [control, visible] of hidden) {
        if (visible === undefined) delete control.visible;
        else control.visible = visible;
      }
    });
  }, true);
}
