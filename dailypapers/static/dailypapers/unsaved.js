// The settings page has one form per section, each saving only its own fields (a section
// is saved and confirmed on its own, and the digest form posts to the digests app). So that
// typing in one section and pressing another's button never drops the typing silently:
// a section with unsaved changes says so beside its button; pressing another section's
// button first warns, naming the unsaved section (pressing again saves anyway); leaving the
// page with unsaved changes asks the browser's "leave this page?" question.
(function () {
  function changed(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") {
        return Array.prototype.some.call(el.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "hidden")) {
        return el.value !== el.defaultValue;
      }
      return false;
    });
  }

  function note(form, className, role) {
    var element = form.querySelector("." + className);
    if (!element) {
      element = document.createElement("p");
      element.className = className;
      element.setAttribute("role", role);
      // Just above the section's button (or the paragraph holding it).
      var button = form.querySelector("button[type=submit]");
      var anchor = button.parentNode === form ? button : button.parentNode;
      anchor.parentNode.insertBefore(element, anchor);
    }
    return element;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-section]"));
    var leaving = false;

    function refresh() {
      forms.forEach(function (form) {
        delete form.dataset.warned;
        var warning = form.querySelector(".unsaved-warning");
        if (warning) warning.remove();
        var dirty = changed(form);
        var marker = form.querySelector(".unsaved-note");
        if (dirty && !marker) note(form, "unsaved-note", "status").textContent = "Unsaved changes";
        if (!dirty && marker) marker.remove();
      });
    }

    forms.forEach(function (form) {
      form.addEventListener("input", refresh);
      form.addEventListener("change", refresh);
      form.addEventListener("submit", function (event) {
        var unsaved = forms.filter(function (other) { return other !== form && changed(other); });
        if (unsaved.length && !form.dataset.warned) {
          event.preventDefault();
          form.dataset.warned = "1";
          var names = unsaved.map(function (other) { return other.dataset.section; }).join(" and ");
          note(form, "unsaved-warning", "alert").textContent =
            "Your changes to " + names + " are not saved: this button saves only " +
            form.dataset.section + ". Save " + names + " first, or press again to discard them.";
          return;
        }
        leaving = true;
      });
    });

    refresh(); // typing that came before this script ran counts too

    window.addEventListener("beforeunload", function (event) {
      if (leaving || !forms.some(changed)) return;
      event.preventDefault();
      event.returnValue = "";
    });
  });
})();
