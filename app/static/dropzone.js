// Upload fields marked .dropzone take files dropped anywhere on their field (label, help text, the
// input itself). A file dropped anywhere else is refused, instead of the browser leaving the page to
// show it and losing what the form held. Dragged text is left to the browser (into a field, as always).
(function () {
  'use strict';

  function carriesFiles(event) {
    return Array.prototype.indexOf.call(event.dataTransfer.types, 'Files') !== -1;
  }

  function zoneOf(target) {
    var field = target && target.closest ? target.closest('.field') : null;
    return field ? field.querySelector('input[type=file].dropzone') : null;
  }

  function highlight(zone) {
    document.querySelectorAll('input[type=file].dropzone').forEach(function (input) {
      input.classList.toggle('dragover', input === zone);
    });
  }

  document.addEventListener('dragover', function (event) {
    if (!carriesFiles(event)) return;
    var zone = zoneOf(event.target);
    event.preventDefault();
    event.dataTransfer.dropEffect = zone ? 'copy' : 'none';
    highlight(zone);
  });

  document.addEventListener('dragleave', function (event) {
    if (event.relatedTarget === null) highlight(null);  // the pointer left the window
  });

  document.addEventListener('drop', function (event) {
    if (!carriesFiles(event)) return;
    var zone = zoneOf(event.target);
    event.preventDefault();
    highlight(null);
    var dropped = event.dataTransfer.files;
    if (!zone || !dropped.length) return;
    // a single-file field keeps the first file only, as its own file dialog would
    var files = new DataTransfer();
    Array.prototype.slice.call(dropped, 0, zone.multiple ? dropped.length : 1).forEach(function (file) {
      files.items.add(file);
    });
    zone.files = files.files;
    zone.dispatchEvent(new Event('change', {bubbles: true}));
  });
})();
