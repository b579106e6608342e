// Packing station and dock: the scan field keeps focus, every scan beeps, an error locks the field
// until it is acknowledged with Esc (a scanner never sends Esc), and the label opens when packed.
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
  function sync() {
    const station = document.getElementById('station');
    const blocked = station && station.dataset.blocked === '1';
    const input = field();
    if (!input) return;
    input.disabled = blocked;
    const hint = document.getElementById('scan-hint'), label = document.getElementById('scan-label');
    if (hint && label) label.textContent = hint.textContent;
    if (blocked) document.getElementById('ack')?.focus(); else input.focus();
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
    if (event.key === 'Escape') document.getElementById('ack')?.click();
  });
  // a click elsewhere (gloves, a mis-tap) must not leave the scanner typing into nothing
  document.addEventListener('click', (event) => {
    if (!event.target.closest('a, button, input, select, textarea, summary, details')) sync();
  });
  document.addEventListener('DOMContentLoaded', sync);
})();
