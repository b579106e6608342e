// Packing station and dock: keep the scan field focused, beep on every scan, open the label when packed.
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
  function focusScan() {
    const ack = document.getElementById('ack');
    const field = document.getElementById('code');
    (ack || field)?.focus();
  }
  document.body.addEventListener('scanOk', () => beep(true));
  document.body.addEventListener('scanError', () => beep(false));
  document.body.addEventListener('htmx:afterSwap', () => {
    focusScan();
    const label = document.querySelector('#station [data-autoprint="label"]');
    if (label && !label.dataset.opened) { label.dataset.opened = '1'; window.open(label.href, '_blank'); }
  });
  // a click elsewhere (gloves, a mis-tap) must not leave the scanner typing into nothing
  document.addEventListener('click', (event) => {
    if (!event.target.closest('a, button, input, select, textarea, summary, details')) focusScan();
  });
  document.addEventListener('DOMContentLoaded', focusScan);
})();
