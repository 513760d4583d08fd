// What Streamlit's own markup needs for screen readers and keyboards (em_ui/accessibility.py).
// Only attributes are set, never nodes moved, so React's rendering is undisturbed; a watch
// on the page sets them again, once the page has stopped changing for a moment, on whatever
// a run or a resize has drawn anew.

const SCROLLERS = '[data-testid="stTable"] > div:has(> table), .katex-display';

// The menu: Streamlit puts each section ("Learn", "Explore") in a <div> straight inside the
// menu's <ul>, which is not a list then. The links are read as a navigation of links instead.
function menuWithoutBrokenList(root) {
  for (const list of root.querySelectorAll('ul[data-testid="stSidebarNavItems"]')) {
    if ([...list.children].every((child) => child.tagName === "LI")) continue;
    list.setAttribute("role", "none");
    for (const item of list.querySelectorAll("li")) item.setAttribute("role", "none");
  }
}

// A table or a formula wider than its column scrolls sideways: the keyboard reaches it
// (Tab, then the arrow keys) only when it takes the focus. Whether it scrolls changes with
// its width (a font loaded, a column resized), which no change of the page's nodes tells:
// each one is watched for that too.
const watchedSizes = new WeakSet();

function scrollersTakeFocus(root, sizes) {
  for (const box of root.querySelectorAll(SCROLLERS)) {
    if (!watchedSizes.has(box)) {
      watchedSizes.add(box);
      sizes.observe(box);
      if (box.firstElementChild) sizes.observe(box.firstElementChild);
    }
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    if (!scrolls && box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
  }
}

export default function () {
  if (window.__emAccessibility) {
    window.__emAccessibility();
    return;
  }
  // At most 100 ms after a change (not after the last of a run of changes: a chart being
  // drawn changes the page for longer than that). Tests wait while one is pending.
  let timer = null;
  const later = () => {
    if (timer === null) timer = setTimeout(fix, 100);
    window.__emAccessibilityPending = true;
  };
  const sizes = new ResizeObserver(later);
  function fix() {
    clearTimeout(timer);
    timer = null;
    window.__emAccessibilityPending = false;
    menuWithoutBrokenList(document);
    scrollersTakeFocus(document, sizes);
  }
  new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  window.__emAccessibility = fix;
  fix();
}
