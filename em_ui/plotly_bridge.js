// Everything the step buttons (em_ui/controls.js) need from plotly.js that plotly.js does not
// publish. Streamlit bundles its own plotly.js out of reach of the page (no global Plotly),
// so the buttons reach a chart only through its graph div. These are the only lines that read
// plotly.js's private state; tests/test_browser_plotly_bridge.py pins them to the plotly.js
// Streamlit ships (PLOTLY_CHECKED below) and checks each one on a chart of the app.
//
//   gd._fullLayout                      set once plotly.js has drawn the chart
//   gd._transitionData._frameHash       the chart's frames by name
//   gd._fullLayout.updatemenus          the menus as drawn (Play's options are copied there)
//   element.__data__                    the options d3 bound to a drawn menu button
//   gd._context.toImageButtonOptions    the camera button's options (its file name)
//   .gtitle and its data-unformatted    the drawn title, and the text it was drawn from

const PLOTLY_CHECKED = "4.2.0";

// Whether plotly.js has drawn `gd` and it can be listened to.
function chartDrawn(gd) {
  return Boolean(gd && typeof gd.on === "function" && gd._fullLayout);
}

// The frame named `name` of a drawn chart, or undefined.
function frameNamed(gd, name) {
  return gd._transitionData && gd._transitionData._frameHash[name];
}

// The buttons of the chart's menus, as given (gd.layout) and as drawn (gd._fullLayout): Play's
// options are read from the drawn copy when it is clicked, so a change goes to both.
function menuButtons(gd) {
  const buttons = [];
  for (const layout of [gd.layout, gd._fullLayout]) {
    for (const menu of (layout && layout.updatemenus) || []) buttons.push(...(menu.buttons || []));
  }
  return buttons;
}

// The chart's Play button: its options (those its element is drawn from and runs when
// clicked, as d3 keeps them on the element) and its element; Pause is the second.
function playButton(gd) {
  const element = gd.querySelector(".updatemenu-button");
  const button = element && element.__data__;
  const frames = button && button.args && button.args[0];
  if (!element || !button || button.method !== "animate" || !frames || frames[0] === null) {
    return null;
  }
  return [button, element];
}

// Call plotly.js through the chart's Play button: a menu button runs the method and
// arguments it is given, and they are given back at once. (A press can redraw the buttons,
// with new options: they are looked up anew each time.)
function press(gd, method, args) {
  const play = playButton(gd);
  if (!play) return;
  const [button, element] = play;
  const saved = [button.method, button.args];
  button.method = method;
  button.args = args;
  try {
    element.dispatchEvent(new MouseEvent("click", { bubbles: true }));
  } finally {
    [button.method, button.args] = saved;
  }
}

// The camera button's options (where its file name is set), or undefined.
function imageOptions(gd) {
  return gd._context && gd._context.toImageButtonOptions;
}

// Draw `text` in place of the chart's drawn title, when both are one bold run of plain text
// ("<b>…</b>" with no markup, entity, math or line break inside, drawn by plotly.js as
// <text class="gtitle" data-unformatted="<b>…</b>"> around one bold <tspan>): only its
// words change, as plotly.js's relayout of the title would draw them, without that
// relayout's second pass over every trace's defaults. Whether it did; otherwise the title
// is left to plotly.js.
function drawTitle(gd, text) {
  const boldPlain = /^<b>([^<>&$\n\r]+)<\/b>$/;
  const drawn = gd.querySelector(".gtitle");
  const was = drawn && boldPlain.exec(drawn.getAttribute("data-unformatted") || "");
  const now = boldPlain.exec(text);
  if (!was || !now) return false;
  // plotly.js leaves empty text nodes either side of the run.
  const parts = [...drawn.childNodes].filter((n) => n.nodeType !== Node.TEXT_NODE || n.data);
  const [run] = parts;
  if (parts.length !== 1 || run.tagName !== "tspan"
    || run.getAttribute("style") !== "font-weight:bold" || run.childNodes.length !== 1
    || run.firstChild.nodeType !== Node.TEXT_NODE || run.firstChild.data !== was[1]) {
    return false;
  }
  drawn.setAttribute("data-unformatted", text);
  run.firstChild.data = now[1];
  return true;
}
