// The stepping view's controls: the step buttons, the keys that press them, and the link
// between the page and its animated chart. Mounted by em_ui/controls.py (Streamlit custom
// component v2: this module runs in the app's own page, not in an iframe).
//
// Every click counts. The buttons move a half-step h held here, at once, and send the
// new h with a sequence number; the view acknowledges the last number it applied. A click
// made before the page caught up moves on from the h shown here, so five quick clicks are
// five half-steps, and E/M can alternate as fast as a hand can press them.
//
// The chart follows the buttons at once when it can: a chart holding a whole frame of every
// half-step (layout.meta.every_half_step) is moved here, by animating to h's frame, and the
// page sends the same figure again, which Streamlit leaves as it is.
//
// The page follows the chart. When Play stops (paused or at its last frame) the half-step
// the chart shows is sent the same way, so the page, its buttons and its numbers show it,
// and the next click continues from there.

// The buttons' labels and help come from the view (data.phases, one entry for each stretch
// of the run, every button named); where each button goes comes from the table the view sent
// (data.targets, made by step_targets in em_ui/controls.py): nothing here decides which
// half-step comes next.
const BUTTONS = [
  // [id, key hint, icon]
  ["reset", "Home", "first_page"],
  ["back", "←", "chevron_left"],
  ["e", "E", ""],
  ["m", "M", ""],
  ["next", "→", "chevron_right"],
  ["end", "End", "last_page"],
];

// Where a button (or presenter mode's key for one half-step, "step") moves from the half-step
// on screen: its entry in the view's table, or null where it is disabled (-1).
function target(s, id) {
  const row = s.targets && s.targets[id];
  const to = row ? row[s.h] : undefined;
  return Number.isInteger(to) && to >= 0 ? to : null;
}

function build(root, data) {
  const bar = document.createElement("div");
  bar.className = "em-controls";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Step through EM");
  const buttons = {};
  const [first] = data.phases;
  for (const [id, hint, icon] of BUTTONS) {
    const label = first.labels[id];
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.step = id;
    button.title = `${first.help[id]} (key: ${hint})`;
    button.setAttribute("aria-keyshortcuts", hint === "←" ? "ArrowLeft" : hint === "→" ? "ArrowRight" : hint);
    if (icon) {
      const glyph = document.createElement("span");
      glyph.className = "em-icon";
      glyph.setAttribute("aria-hidden", "true");
      glyph.textContent = icon;
      button.append(glyph);
    }
    const text = document.createElement("span");
    text.className = "em-label";
    text.textContent = label;
    button.append(text);
    if (icon) button.classList.add("em-has-icon");  // a phone shows the icon alone
    button.emText = text;
    button.emHint = hint;
    button.setAttribute("aria-label", label);
    bar.append(button);
    buttons[id] = button;
  }
  root.append(bar);
  return buttons;
}

// The chart's text alternative (the view's describe, em_viz/chart_text.py): the numbers of
// the half-step the chart shows, in a polite live region that a screen reader announces as
// it changes, and the chart's description (describeChart). Hidden from sight: the page
// writes the same numbers under the chart.
function buildChartText(root) {
  const live = document.createElement("div");
  live.className = "em-chart-text";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("aria-atomic", "true");
  root.append(live);
  return live;
}

// Write the text of half-step `h`, when the page sent it (a rerun brings the others).
function sayHalfStep(s, h) {
  const text = s.texts && h !== null && s.texts[String(h)];
  if (text && s.live.textContent !== text) s.live.textContent = text;
}

// Whether the person asked for less motion: Play then shows each half-step without
// animating between them.
function reducedMotion() {
  return Boolean(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
}

const SPEEDS = [["Slow", 1200], ["Normal", 600], ["Fast", 250]];
const SPEED_STORE = "em_ui.speed";

function storedSpeed() {
  try {
    const ms = Number(window.localStorage.getItem(SPEED_STORE));
    return SPEEDS.some(([, v]) => v === ms) ? ms : 600;
  } catch {
    return 600;
  }
}

function buildSpeed(root, s) {
  const group = document.createElement("div");
  group.className = "em-speed";
  group.setAttribute("role", "radiogroup");
  group.setAttribute("aria-label", "Animation speed");
  const label = document.createElement("span");
  label.className = "em-speed-label";
  label.textContent = "Speed";
  group.append(label);
  s.speedButtons = [];
  for (const [name, ms] of SPEEDS) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = name;
    button.setAttribute("role", "radio");
    button.title = `▶ Play shows each half-step for ${ms / 1000} s`;
    button.addEventListener("click", () => s.setSpeed(ms));
    s.speedButtons.push([button, ms]);
    group.append(button);
  }
  root.append(group);
}

const KEYS = { Home: "reset", ArrowLeft: "back", e: "e", E: "e", m: "m", M: "m", ArrowRight: "next", End: "end" };
// Presenter mode (em_ui/presenter.py): one half-step a key, as a presentation clicker sends
// them (arrows or page keys), and space for Play / Pause.
const PRESENTER_KEYS = { ArrowRight: "step", PageDown: "step", ArrowLeft: "back", PageUp: "back", " ": "play" };

function typingIn(element) {
  if (!element) return false;
  const tag = element.tagName;
  // A focused toggle or check box (presenter mode's, just clicked) is not typing.
  const typed = tag === "INPUT" && !["checkbox", "radio", "button"].includes(element.type);
  return element.isContentEditable || typed || tag === "TEXTAREA" || tag === "SELECT"
    || element.getAttribute("role") === "slider" || element.getAttribute("role") === "combobox";
}

export default function (component) {
  const { parentElement, setStateValue } = component;
  // The view sends its data as JSON bytes (see controls.py).
  const data = JSON.parse(new TextDecoder().decode(component.data));
  let s = parentElement.__emControls;
  if (!s) {
    s = {
      seq: data.ack, h: data.h, last: data.last, playing: false, speed: storedSpeed(),
      phases: data.phases, targets: data.targets,
    };
    s.buttons = build(parentElement, data);
    s.live = buildChartText(parentElement);
    buildSpeed(s.buttons.reset.parentElement, s);
    s.setSpeed = (ms) => {
      s.speed = ms;
      try { window.localStorage.setItem(SPEED_STORE, String(ms)); } catch { /* private mode */ }
      s.paintSpeed();
      if (s.gd) applySpeed(s, s.gd, true);
    };
    s.paintSpeed = () => {
      for (const [button, ms] of s.speedButtons) {
        button.setAttribute("aria-checked", String(ms === s.speed));
        button.classList.toggle("em-on", ms === s.speed);
      }
    };
    s.paintSpeed();
    s.send = (h) => {
      if (h === null || h === s.h) return;
      s.h = h;
      s.seq += 1;
      s.paint();
      s.setStateValue("position", { h, seq: s.seq });
      // Once the new h is on its way to the page: drawing the chart holds the thread.
      setTimeout(() => moveChart(s), 0);
    };
    s.press = (id) => s.send(target(s, id));
    s.paint = () => {
      // The stretch of the run the half-step is in names the buttons (the K-means steps
      // name the two half-step buttons their own way).
      const phase = s.phases.filter((p) => p.from <= s.h).pop() || s.phases[0];
      for (const [id, button] of Object.entries(s.buttons)) {
        const label = phase.labels[id];
        if (button.emText.textContent !== label) {
          button.emText.textContent = label;
          button.setAttribute("aria-label", label);
        }
        button.title = `${phase.help[id]} (key: ${button.emHint})`;
        // aria-disabled, not disabled: a button pressed from the keyboard keeps the focus
        // when its step leaves it nothing to do (Run to the end, at the end).
        const off = target(s, id) === null;
        button.setAttribute("aria-disabled", String(off));
        // The half-step button that comes next stands out (at most one is enabled).
        const primary = id === "e" || id === "m";
        button.classList.toggle("em-primary", primary && !off);
      }
      s.buttons.reset.parentElement.dataset.h = String(s.h);
      sayHalfStep(s, s.playing && s.gd ? shownHalfStep(s.gd) : s.h);
    };
    for (const [id, button] of Object.entries(s.buttons)) {
      // pointerdown would be quicker, but click is what keyboards and screen readers send.
      button.addEventListener("click", () => s.press(id));
    }
    s.onKey = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      if (!document.contains(s.buttons.reset)) return;
      const id = (s.presenter && PRESENTER_KEYS[event.key]) || KEYS[event.key];
      if (!id) return;
      event.preventDefault();
      if (id === "step") s.send(target(s, "step"));
      else if (id === "play") togglePlay(s);
      else s.press(id);
    };
    parentElement.__emControls = s;
  }
  // Again at every drawing (adding it twice adds it once): Streamlit runs the cleanup below
  // of a drawing that a newer one overtook, and the buttons stay.
  if (data.keys) document.addEventListener("keydown", s.onKey);
  s.setStateValue = setStateValue;
  s.last = data.last;
  s.phases = data.phases;
  s.targets = data.targets;
  s.presenter = Boolean(data.presenter);
  // The view's h wins once it has seen every move sent from here; until then, keep ours.
  if (data.ack >= s.seq || data.session !== s.session) {
    s.seq = data.ack;
    s.h = data.h;
  }
  s.session = data.session;
  s.acked = data.ack;
  s.chartId = data.chart_id;
  s.h = Math.min(s.h, s.last);
  s.pngNames = data.png_names;
  s.texts = data.texts;
  s.textId = data.text_id;
  s.live.id = s.textId;
  s.paint();
  s.chartSelector = data.chart;
  watchChart(s, data.chart);
  moveChart(s);
  // Tell the view when its width calls for the narrow figure (phones, big zoom), once the
  // page is laid out (a width of 0 is not yet a width) and has finished its run: every
  // message reruns the view, and a rerun of the view that cuts short the page's own run,
  // while that run still draws the view, breaks Streamlit's page ("Bad delta path index").
  afterPageRun(() => {
    const width = s.buttons.reset.parentElement.getBoundingClientRect().width;
    const narrow = width < data.narrow_below_px;
    if (width > 0 && narrow !== data.narrow && narrow !== s.sentNarrow) {
      s.sentNarrow = narrow;
      setStateValue("narrow", narrow);
    }
    // Presenter mode sizes the chart to the screen: tell the view the window's height.
    if (data.presenter) {
      const step = data.screen_height_step_px;
      const height = Math.round(window.innerHeight / step) * step;
      if (height > 0 && height !== data.screen_height && height !== s.sentHeight) {
        s.sentHeight = height;
        setStateValue("screen_height", height);
      }
    }
  });
  return () => {
    document.removeEventListener("keydown", s.onKey);
    if (s.chartTimer) clearInterval(s.chartTimer);
    s.chartTimer = null;
  };
}

// Call ``send`` once Streamlit's page has no script run going (checked every 50 ms, for at
// most 10 s), after the next frame is laid out.
function afterPageRun(send, tries = 200) {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute("data-test-script-state");
  if (state === "notRunning" || !state || tries <= 0) {
    requestAnimationFrame(send);
    return;
  }
  setTimeout(() => afterPageRun(send, tries - 1), 50);
}

// --- The chart ----------------------------------------------------------------------------

function shownHalfStep(gd) {
  const meta = gd && gd.layout && gd.layout.meta;
  return meta && Number.isInteger(meta.half_step) ? meta.half_step : null;
}

// Play's speed is set here, in the browser: the figure's Play button is given the chosen
// frame duration, and a change while playing carries on from the frame on screen.
// With prefers-reduced-motion, Play steps from one half-step to the next with no animated
// transition between them (duration 0).
function applySpeed(s, gd, restart) {
  const transition = reducedMotion() ? 0 : Math.min(150, s.speed / 2);
  for (const button of menuButtons(gd)) {
    const [frames, options] = button.args || [];
    if (button.method !== "animate" || !options || !frames || frames[0] === null) continue;
    options.frame.duration = s.speed;
    if (options.transition) options.transition.duration = transition;
  }
  if (restart && s.playing) {
    s.restarting = true;
    const play = gd.querySelector(".updatemenu-button");
    if (play) play.dispatchEvent(new MouseEvent("click", { bubbles: true }));
  }
}

// Space in presenter mode: the chart's own Play, or its Pause while it plays.
function togglePlay(s) {
  // The chart drawn now (a chart drawn anew, at the screen's height, replaces s.gd).
  const gd = s.gd && document.contains(s.gd)
    ? s.gd : document.querySelector(`${s.chartSelector} .js-plotly-plot`);
  const [play, pause] = (gd && gd.querySelectorAll(".updatemenu-button")) || [];
  const button = s.playing ? pause : play;
  if (button) button.dispatchEvent(new MouseEvent("click", { bubbles: true }));
}

// The camera button's file name, for the half-step the chart shows.
function namePng(s, gd) {
  const h = shownHalfStep(gd);
  const options = imageOptions(gd);
  if (options && s.pngNames && h !== null && s.pngNames[h]) options.filename = s.pngNames[h];
}

// Whether plotly's quick update (an animation without its full redraw) would draw `frame`
// wrongly. The quick update moves only the traces plotly.js can animate, and of the kinds the
// views draw that is scatter alone: a heatmap, a contour or a bar chart keeps its old values
// (or vanishes), so a frame that changes one is redrawn in full. Even for scatter it draws a
// trace that was empty over the others, leaves an emptied one drawn, and ignores `visible`.
function needsRedraw(gd, frame) {
  const empty = (values) => !values || values.length === 0;
  return frame.data.some((update, i) => {
    const trace = gd.data[frame.traces[i]];
    if (!trace || (update.type || trace.type || "scatter") !== "scatter") return true;
    const visible = (t) => (t.visible === undefined ? true : t.visible);
    if ("visible" in update && update.visible !== visible(trace)) return true;
    return ["x", "y"].some((axis) => empty(update[axis] || trace[axis]) || empty(trace[axis]));
  });
}

// Show half-step s.h on a chart that holds a whole frame of every half-step: animate to its
// frame at once, without plotly's full redraw where it can (a third of the time), then draw
// the title the frame names: its words written in place where the bridge can (drawTitle),
// a relayout of the title alone otherwise. (The frame has already set the title in the
// chart's layout, so a later redraw draws the same.)
function moveChart(s) {
  const gd = s.gd;
  if (!gd || !document.contains(gd) || !chartDrawn(gd)) return;
  const meta = gd.layout && gd.layout.meta;
  const h = shownHalfStep(gd);
  if (!meta || !meta.every_half_step || h === null || h === s.h || s.h > s.last) {
    namePng(s, gd);
    return;
  }
  const name = String(s.h);
  const frame = frameNamed(gd, name);
  if (!playButton(gd) || !frame) return;
  s.jumpingTo = name;
  s.playing = false;
  clearTimeout(s.settleTimer);
  s.settling = false;
  const redraw = needsRedraw(gd, frame);
  press(gd, "animate", [
    [name],
    { frame: { duration: 0, redraw }, transition: { duration: 0 }, mode: "immediate" },
  ]);
  const title = frame.layout && frame.layout.title;
  if (title && !redraw && !drawTitle(gd, title.text)) {
    press(gd, "relayout", [{ "title.text": title.text }]);
  }
}

// plotly.js rejects the promise of an animation that another one interrupts (Pause, a new
// speed, a click while it plays) with no reason, and nobody waits on that promise inside
// plotly.js's own buttons: the browser would report "Uncaught (in promise) undefined".
// Those rejections are expected; any other is left to the browser.
let interruptedAt = -Infinity;
window.addEventListener("unhandledrejection", (event) => {
  if (event.reason === undefined && performance.now() - interruptedAt < 2000) {
    event.preventDefault();
  }
});

// pngWithoutControls(gd) comes first in this module (em_viz/png_without_controls.js), then
// the bridge to plotly.js's internals (em_ui/plotly_bridge.js: chartDrawn, frameNamed,
// menuButtons, playButton, press, imageOptions, drawTitle).

// The chart's Play and Pause (plotly.js draws them as SVG, out of the tab order) as buttons a
// keyboard reaches: a tab stop each, their names, and Enter or space to press them. Done
// again whenever plotly.js may have drawn them anew.
function keyboardMenus(gd) {
  for (const element of gd.querySelectorAll(".updatemenu-button")) {
    if (element.__emKeys) continue;
    element.__emKeys = true;
    element.setAttribute("tabindex", "0");
    element.setAttribute("role", "button");
    const name = (element.textContent || "").replace(/[^A-Za-z ]/g, "").trim();
    if (name) element.setAttribute("aria-label", name);
    element.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      event.stopPropagation();  // not also presenter mode's space
      element.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    });
  }
}

// The chart as a screen reader meets it: a figure (not an image, whose parts would all be
// hidden: Play, Pause and the tool bar are buttons inside it), named, and described by the
// text of the half-step it shows (the live region, whose id is this view's own).
function describeChart(s, gd) {
  gd.setAttribute("role", "figure");
  gd.setAttribute("aria-label", "Chart of the run");
  gd.setAttribute("aria-describedby", s.textId);
}

// The chart's owner is the step buttons that last found it on the page. Streamlit mounts the
// buttons anew when what comes before them changes (the data's source, an upload, a progress
// bar come and gone), and the buttons it took away may have found the new chart first, in
// the frames they still watched: the chart's events go to its owner of the moment, so
// buttons no longer on the page never answer (as if Play had stopped) the new ones' moves.
function attach(s, gd) {
  const found = s.gd !== gd || gd.__emOwner !== s;
  s.gd = gd;
  gd.__emOwner = s;
  describeChart(s, gd);
  keyboardMenus(gd);
  if (!gd.__emWatched) {
    gd.__emWatched = true;
    listen(gd);
  }
  if (found) applySpeed(s, gd, false);
  return found;
}

function listen(gd) {
  // Streamlit may draw a new figure into the same chart (Plotly.react), which brings Play's
  // options from Python again: set the speed, and a reduced motion's 0, on each drawing.
  gd.on("plotly_afterplot", () => applySpeed(gd.__emOwner, gd, false));
  pngWithoutControls(gd);
  const settle = (s) => {
    // Read what the chart shows once it has drawn its last frame, then bring the page there.
    clearTimeout(s.settleTimer);
    s.settling = true;
    s.settleTimer = setTimeout(() => {
      s.settling = false;
      s.playing = false;
      const h = shownHalfStep(gd);
      if (h !== null && document.contains(gd) && gd.__emOwner === s) s.send(Math.min(h, s.last));
    }, 80);
  };
  gd.on("plotly_animatingframe", (event) => {
    const s = gd.__emOwner;
    namePng(s, gd);
    if (event && /^\d+$/.test(event.name)) sayHalfStep(s, Number(event.name));
    if (s.jumpingTo !== null && s.jumpingTo !== undefined) {
      if (event && event.name === s.jumpingTo) return;  // a move, not Play
      s.jumpingTo = null;  // Play, pressed while the chart was moving
    }
    if (s.restarting) {
      s.restarting = false;
      clearTimeout(s.settleTimer);
      s.settling = false;
    }
    s.playing = true;
    // A frame that slips through just after Pause: wait for it to be drawn, then report.
    if (s.settling) settle(s);
  });
  gd.on("plotly_animated", () => {
    const s = gd.__emOwner;
    namePng(s, gd);
    keyboardMenus(gd);
    if (s.jumpingTo !== null && s.jumpingTo !== undefined) {
      s.jumpingTo = null;
      moveChart(s);  // clicked again while it moved
      return;
    }
    settle(s);
  });
  gd.on("plotly_animationinterrupted", () => {
    const s = gd.__emOwner;
    interruptedAt = performance.now();
    if (s.jumpingTo !== null && s.jumpingTo !== undefined) return;  // a newer move
    if (!s.restarting) settle(s);
  });
}

function watchChart(s, selector) {
  // Streamlit draws the chart after this component and redraws it (a new graph div) when
  // its figure changes, so look for it now, at every frame for a second, and every 250 ms;
  // a new chart is moved to h as soon as it is found.
  const find = () => {
    if (!document.contains(s.buttons.reset)) return true;  // taken off the page: stop looking
    const gd = document.querySelector(`${selector} .js-plotly-plot`);
    if (chartDrawn(gd) && attach(s, gd)) {
      // A new chart is moved when the buttons have moved since the page last answered, or
      // when it is the one figure of this view's run (drawn at half-step 0). Any other was
      // drawn at the page's h, which this component may not have heard of yet.
      const meta = (gd.layout && gd.layout.meta) || {};
      if (s.seq > s.acked || (meta.still !== undefined && meta.still === s.chartId)) {
        moveChart(s);
      } else {
        namePng(s, gd);
      }
      return true;
    }
    return false;
  };
  find();
  if (!s.chartTimer) s.chartTimer = setInterval(find, 250);
  let frames = 60;
  const look = () => {
    if (!find() && --frames > 0) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}
