// Packing station and dock, built for a keyboard-wedge scanner: whatever it types lands in the scan field.
// A scanner types characters and ends with Enter (or Tab) wherever focus is, so:
// - the scan field keeps focus, also during a stop (a scan made then is sent, refused and recorded);
// - no control is in the Tab order, and a keystroke aimed anywhere else is taken back to the scan field;
// - a stop is cleared by Esc and the customer's requests are read with F2: keys a scanner never sends;
// - the other forms (override, reset, change station) are submitted by a pointer only, never by a key.
(function () {
  let audio;
  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = ok ? 'sine' : 'square';
      osc.frequency.value = ok ? 1400 : 220;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.08 : 0.6));
    } catch (e) { /* no sound device: the colours still tell */ }
  }
  const field = () => document.getElementById('code');
  const scanForm = () => document.getElementById('scan-form');
  const station = () => document.getElementById('station');

  function sync() {
    const input = field();
    if (!input) return;
    const hint = document.getElementById('scan-hint'), label = document.getElementById('scan-label');
    if (hint && label) label.textContent = hint.textContent;
    input.focus();
  }
  function post(url) {
    if (!url || !window.htmx) return;
    htmx.ajax('POST', url, {source: '#scan-form', target: '#station', swap: 'outerHTML'});
  }
  const acknowledge = () => { if (station()?.dataset.blocked === '1') post(station().dataset.ackUrl); };
  const readRequests = () => { if (document.getElementById('confirm-requests')) post(station().dataset.requestsUrl); };
  function submitScan() {
    const form = scanForm();
    if (form) form.requestSubmit();
  }

  document.body.addEventListener('scanOk', () => beep(true));
  document.body.addEventListener('scanError', () => beep(false));
  // the value has been sent: clear the field at once so the next scan starts clean
  document.body.addEventListener('htmx:beforeRequest', (event) => {
    if (event.detail.elt.id === 'scan-form') field().value = '';
  });
  document.body.addEventListener('htmx:afterSwap', () => {
    sync();
    const label = document.querySelector('#station [data-autoprint="label"]');
    if (label && !label.dataset.opened) { label.dataset.opened = '1'; window.open(label.href, '_blank'); }
  });

  document.addEventListener('keydown', (event) => {
    const input = field();
    if (!input) return;
    if (event.key === 'Escape') { event.preventDefault(); acknowledge(); return; }
    if (event.key === 'F2') { event.preventDefault(); readRequests(); return; }
    const target = event.target;
    if (target === input) {
      // a scanner set to end codes with Tab: the code is submitted, focus stays
      if (event.key === 'Tab') { event.preventDefault(); submitScan(); }
      return;
    }
    if (target.closest && target.closest('#override-form') && target.matches('input, select')) {
      // a supervisor types here; Enter would submit the override, so only the button's click does
      if (event.key === 'Enter') event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Enter' || event.key === 'Tab' || event.key === ' ') {
      // never a press of whatever button or link has focus: it ends a scan
      event.preventDefault();
      input.focus();
      if (event.key !== ' ') submitScan();
    } else if (event.key.length === 1) {
      input.focus();   // moved before the key's default action: the character lands in the field
    }
  }, true);

  // a click with a pointer: detail counts the clicks, and is 0 for a click that a key made
  document.addEventListener('click', (event) => {
    const target = event.target;
    if (target.closest('#ack')) { if (event.detail > 0) acknowledge(); sync(); return; }
    if (target.closest('#confirm-requests')) { if (event.detail > 0) readRequests(); sync(); return; }
    if (target.closest('#override-form input, #override-form select, summary')) return;
    if (!target.closest('a')) sync();   // gloves, a mis-tap: the scanner must not type into nothing
  });
  let pointerAt = 0;
  document.addEventListener('pointerdown', () => { pointerAt = Date.now(); }, true);
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (form.id === 'scan-form') return;
    if ((form.matches('.pointer-only, #override-form')) && Date.now() - pointerAt > 3000) {
      event.preventDefault();
      event.stopImmediatePropagation();
      sync();
    }
  }, true);
  document.addEventListener('DOMContentLoaded', sync);
})();
