// The console's one behaviour of its own: a button marked data-print
// prints the page (packing lists). Delegated from the document, so it
// works on pages htmx swaps in; no inline handler, within the CSP.
document.addEventListener("click", function (e) {
  if (e.target instanceof Element && e.target.closest("[data-print]")) {
    window.print();
  }
});
