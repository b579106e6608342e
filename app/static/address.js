// Address forms (the clerk's ship-to on an order, the shop's checkout), marked by data attributes so that the
// Content-Security-Policy can forbid inline scripts: form[data-postal-url] names the postal look-up (Kura's own
// copy of Japan Post's data) and its fields say which part they are with data-address (postal, prefecture,
// city, street).
// - The 7th digit of a postal code fills prefecture, city and town at once (not only on leaving the field).
//   A code in another prefecture or city replaces the town and street typed for the old one, which cannot be
//   right any more; a code in the same city keeps the street the customer typed.
// - A prefecture or city changed by hand clears the town and street for the same reason.
(function () {
  'use strict';

  var asked = new WeakMap();   // form -> the code last looked up: typing on past it or leaving the field asks once

  function part(form, name) {
    return form.querySelector('[data-address="' + name + '"]');
  }

  function digits(value) {
    return value.normalize('NFKC').replace(/[^0-9]/g, '');
  }

  async function fill(form, postal) {
    var code = digits(postal.value);
    if (code.length !== 7 || asked.get(form) === code) return;
    asked.set(form, code);
    var response = await fetch(form.dataset.postalUrl + code, {headers: {Accept: 'application/json'}});
    if (!response.ok || asked.get(form) !== code) return;   // unknown, or the customer typed another code since
    var found = await response.json();
    var prefecture = part(form, 'prefecture');
    var city = part(form, 'city');
    var street = part(form, 'street');
    var moved = prefecture.value !== found.prefecture || city.value !== found.city;
    prefecture.value = found.prefecture;
    city.value = found.city;
    if (moved || !street.value) street.value = found.town;
  }

  function changed(event) {
    var target = event.target;
    var form = target.closest && target.closest('form[data-postal-url]');
    if (!form || !target.dataset.address) return;
    if (target.dataset.address === 'postal') {
      fill(form, target);
    } else if (event.type === 'change' && (target.dataset.address === 'prefecture' || target.dataset.address === 'city')) {
      part(form, 'street').value = '';
      asked.delete(form);   // the same postal code typed again fills the address again
    }
  }

  document.addEventListener('input', changed);
  document.addEventListener('change', changed);
})();
