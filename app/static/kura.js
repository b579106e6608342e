// Back-office behaviours, wired by data attributes and classes instead of inline handlers, so that the
// Content-Security-Policy can forbid every inline script:
// - form.filters: typing filters the table through htmx; Enter must not submit the form as a page;
// - [data-autosubmit]: a select or date field submits its form when it changes;
// - form[data-confirm]: asks before submitting;
// - [data-select-all]: a header checkbox ticks every row's box (input[name=ids]) of its table;
// - img[data-hide-broken]: a picture that does not load is removed rather than shown broken.
(function () {
  'use strict';

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.matches('form.filters')) {
      event.preventDefault();
    } else if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener('change', function (event) {
    var target = event.target;
    if (target.matches('[data-autosubmit]') && target.form) {
      target.form.requestSubmit();
    } else if (target.matches('[data-select-all]')) {
      target.closest('table').querySelectorAll('input[name=ids]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });

  document.addEventListener('error', function (event) {
    if (event.target.matches && event.target.matches('img[data-hide-broken]')) event.target.remove();
  }, true);
})();
