// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form && event.target.tagName === "SELECT") form.requestSubmit();
});

// The phone's « Menu » button (a <details>, which works without this): say its state with aria-expanded, and let
// Escape close it from anywhere in the menu, the focus going back to the button.
(() => {
  const toggle = document.querySelector(".menu-toggle");
  if (!toggle) return;
  const button = toggle.querySelector("summary");
  const sync = () => button.setAttribute("aria-expanded", String(toggle.open));
  sync();
  toggle.addEventListener("toggle", sync);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !toggle.open) return;
    if (event.target === button || event.target.closest(".in-menu")) {
      toggle.open = false;
      button.focus();
    }
  });
})();

// Wide tables (.table-scroll): while a table is wider than its box, the hint « Faites défiler le tableau → »
// shows above it and the box is a named region reachable with Tab (arrows then scroll it); when it fits again,
// the hint hides and the box leaves the tab order if this script put it there. The shadow is CSS alone.
(() => {
  const text = document.body.dataset.scrollHint;
  let count = 0;
  const update = (box) => {
    const overflowing = box.scrollWidth > box.clientWidth + 1;
    box.toggleAttribute("data-overflowing", overflowing);
    let hint = box.scrollHint;
    if (overflowing && !hint && text) {
      hint = box.scrollHint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.id = `scroll-hint-${++count}`;
      hint.textContent = text;
      box.before(hint);
      box.setAttribute("aria-describedby", [box.getAttribute("aria-describedby"), hint.id].filter(Boolean).join(" "));
    }
    if (hint) hint.hidden = !overflowing;
    if (overflowing) {
      if (!box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.dataset.scrollFocus = "";
      }
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        const caption = box.querySelector("caption");
        box.setAttribute("aria-label", (caption && caption.textContent.trim()) || text);
      }
    } else if ("scrollFocus" in box.dataset) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollFocus;
    }
  };
  const observer = "ResizeObserver" in window
    ? new ResizeObserver((entries) => entries.forEach((entry) => update(entry.target.closest(".table-scroll"))))
    : null;
  const setup = (root) => {
    root.querySelectorAll(".table-scroll").forEach((box) => {
      update(box);
      if (observer) {
        observer.observe(box);
        if (box.firstElementChild) observer.observe(box.firstElementChild);
      }
    });
  };
  setup(document);
  document.addEventListener("htmx:afterSettle", (event) => setup(event.target));
})();
