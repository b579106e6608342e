// Back-office behaviours, wired by data attributes and classes instead of inline handlers, so that the
// Content-Security-Policy can forbid every inline script:
// - form.filters: typing filters the table through htmx; Enter must not submit the form as a page;
// - [data-autosubmit]: a select or date field submits its form when it changes;
// - form[data-confirm]: asks before submitting;
// - [data-select-all]: a header checkbox ticks every row's box (input[name=ids]) of its table;
// - img[data-hide-broken]: a picture that does not load is removed rather than shown broken;
// - form[data-no-enter-submit]: Enter in a field does not send the form (a scanner's Enter meant for another field);
// - form[data-scan-entry]: its field is emptied as its code is sent, and has focus again for the next code;
// - keyboard shortcuts (listed in dialog#shortcuts, shown by ?): j/k or the arrows move a focus row through a
//   table[data-keyboard-rows], Enter or o opens it (its first link), r sends the POST of the form's
//   button[data-row-key=r] for that row alone, / goes to the search box. None of them acts while the user
//   types in a field, nor with Ctrl/Alt/Meta held (the browser's own shortcuts).
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

  function rows() {
    var table = document.querySelector('table[data-keyboard-rows]');
    if (!table) return [];
    return Array.prototype.filter.call(table.tBodies[0] ? table.tBodies[0].rows : [], function (row) {
      return row.querySelector('a[href]');
    });
  }

  function focusedRow() {
    return document.querySelector('table[data-keyboard-rows] tr.key-focus');
  }

  var focusIndex = -1;
  // after r the table comes back without the released order: the focus stays at its place, on the next one
  var keepFocus = false;

  function focusRow(index) {
    var all = rows();
    var current = focusedRow();
    if (current) {
      current.classList.remove('key-focus');
      current.removeAttribute('aria-current');
    }
    if (!all.length) {
      focusIndex = -1;
      return;
    }
    focusIndex = Math.max(0, Math.min(index, all.length - 1));
    all[focusIndex].classList.add('key-focus');
    all[focusIndex].setAttribute('aria-current', 'true');
    all[focusIndex].scrollIntoView({block: 'nearest'});
  }

  function releaseRow(row) {
    var form = row.closest('form');
    var button = form && form.querySelector('button[data-row-key=r]');
    var box = row.querySelector('input[name=ids]');
    if (!button || !box || !window.htmx) return;
    var values = {ids: box.value};
    values[button.name] = button.value;
    form.querySelectorAll('input[type=hidden][name]').forEach(function (field) {
      values[field.name] = field.value;
    });
    keepFocus = true;
    // the body's hx-headers carry the CSRF token, as for every htmx request
    window.htmx.ajax('POST', button.getAttribute('hx-post'), {
      source: document.body, target: button.getAttribute('hx-target'), swap: 'outerHTML', values: values});
  }

  function typing(target) {
    // a ticked box keeps the focus: the clerk goes on with the keys
    return target.isContentEditable || (target.matches && target.matches(
      'input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), textarea, select'));
  }

  document.addEventListener('keydown', function (event) {
    var help = document.getElementById('shortcuts');
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    if (help && help.open) return;  // the dialog closes itself on Esc
    var key = event.key;
    var row = focusedRow();
    if (key === 'j' || key === 'ArrowDown' || key === 'k' || key === 'ArrowUp') {
      if (!rows().length) return;
      var step = (key === 'j' || key === 'ArrowDown') ? 1 : -1;
      focusRow(row ? rows().indexOf(row) + step : 0);
    } else if ((key === 'Enter' || key === 'o') && row) {
      // Enter on a link or button the user tabbed to is theirs
      if (key === 'Enter' && event.target.closest && event.target.closest('a, button')) return;
      window.location.assign(row.querySelector('a[href]').href);
    } else if (key === 'r' && row && row.closest('form') && row.closest('form').querySelector('button[data-row-key=r]')) {
      releaseRow(row);
    } else if (key === '/') {
      var search = document.querySelector('main input[type=search]');
      if (!search) return;
      search.focus();
      search.select();
    } else if (key === '?' && help) {
      help.showModal();
    } else {
      return;
    }
    event.preventDefault();
  });

  document.addEventListener('htmx:afterSwap', function () {
    if (keepFocus && focusIndex >= 0 && !focusedRow()) focusRow(focusIndex);
    keepFocus = false;
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
