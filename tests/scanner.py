"""A keyboard-wedge barcode scanner, as a Playwright helper for the floor screens' browser tests.

A real scanner is a keyboard: it types the code's characters a few tens of milliseconds apart and then
presses Enter (or Tab, as some are set up), into whatever element has focus.  It never looks at the
screen, never clicks, and never waits for the application.  So does this robot: a test that scans
through it finds out what a packer's scanner does to the screen, not what a careful click would.
"""
import random


#: the Playwright key names for what a scanner may send after the code
SUFFIXES = ('Enter', 'Tab')

#: counts the htmx requests sent and not yet swapped in, so that the test can wait for a scan's answer
WATCH = """
if (!window.__scanWatch) {
  window.__scanWatch = {pending: 0};
  document.addEventListener('htmx:beforeSend', () => { window.__scanWatch.pending += 1; });
  document.addEventListener('htmx:afterRequest', () => {
    window.__scanWatch.pending = Math.max(0, window.__scanWatch.pending - 1);
  });
}
"""


class ScannerRobot:
    """Types codes into a page like a keyboard-wedge scanner, wherever the page left focus."""

    def __init__(self, page, *, seed: int = 2026, suffix: str = 'Enter'):
        if suffix not in SUFFIXES:
            raise ValueError(f'a scanner ends a code with Enter or Tab, not {suffix!r}')
        self.page = page
        self.suffix = suffix
        page.add_init_script(WATCH)
        page.evaluate(WATCH)
        # the gaps are random, but the same in every run: a failure can be replayed
        self._random = random.Random(seed)

    def type(self, code: str, suffix: str | None = None) -> None:
        """The code's characters 20-50 ms apart, then the suffix: no waiting for anything the screen does."""
        keyboard = self.page.keyboard
        for character in code:
            keyboard.type(character)
            self.page.wait_for_timeout(self._random.uniform(20, 50))
        keyboard.press(suffix or self.suffix)

    def scan(self, code: str, suffix: str | None = None) -> None:
        """One code, then wait until every request it caused has been answered and its answer is on screen.

        Waiting is the test's, not the scanner's: the next scan may start only when this one's effect
        can be read.  Whatever the code caused (a scan, an acknowledgement, a form sent) counts.
        """
        self.type(code, suffix)
        self.settle()

    def burst(self, *codes: str) -> None:
        """Several codes back to back, as fast as a packer can pull the trigger, then wait for all of them."""
        for code in codes:
            self.type(code)
        self.settle()

    def settle(self) -> None:
        """Wait until no request is in flight and nothing is left to swap, twice over (a queued scan follows)."""
        idle = ("() => document.readyState === 'complete' && window.__scanWatch && window.__scanWatch.pending === 0"
                " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
        for _ in range(2):
            self.page.wait_for_timeout(60)   # a keystroke's request starts on a later tick
            self.page.wait_for_load_state()
            self.page.wait_for_function(idle)
