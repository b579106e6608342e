// The shop's checkout: the address is filled in from the postal code (Kura's own copy of Japan Post's
// data, at the URL the form names), without overwriting what the customer already typed.
(function () {
  'use strict';

  document.addEventListener('change', async function (event) {
    var form = event.target.closest('form[data-postal-url]');
    if (!form || event.target.id !== 'postal_code') return;
    var code = event.target.value.replace(/[^0-9０-９]/g, '');
    if (code.length !== 7) return;
    var response = await fetch(form.dataset.postalUrl + encodeURIComponent(code));
    if (!response.ok) return;
    var address = await response.json();
    document.getElementById('prefecture').value = address.prefecture;
    var city = document.getElementById('city');
    if (!city.value) city.value = address.city;
    var street = document.getElementById('address1');
    if (!street.value) street.value = address.town;
  });
})();
