// Back-office behaviours, wired by data attributes and classes instead of inline handlers, so that the
// Content-Security-Policy can forbid every inline script:
// - form.filters: typing filters the table through htmx; Enter must not submit the form as a page;
// - [data-autosubmit]: a select or date field submits its form when it changes;
// - form[data-confirm]: asks before submitting;
// - [data-select-all]: a header checkbox ticks every row's box (input[name=ids]) of its table;
// - img[data-hide-broken]: a picture that does not load is removed rather than shown broken;
// - form[data-no-enter-submit]: Enter in a field does not send the form (a scanner's Enter meant for another field);
// - form[data-scan-entry]: its field is emptied as its code is sent, and has focus again for the next code.
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

  document.addEventListener('keydown', function (event) {
    var target = event.target;
    if (event.key === 'Enter' && target.matches && target.matches('form[data-no-enter-submit] input')) {
      event.preventDefault();
    }
  });

  document.addEventListener('htmx:beforeRequest', function (event) {
    var form = event.detail.elt;
    if (form.matches && form.matches('form[data-scan-entry]')) form.querySelector('input[name=code]').value = '';
  });
  document.addEventListener('htmx:afterSettle', function () {
    var field = document.querySelector('form[data-scan-entry] input[name=code]');
    if (field) field.focus();
  });

  document.addEventListener('error', function (event) {
    if (event.target.matches && event.target.matches('img[data-hide-broken]')) event.target.remove();
  }, true);
})();
