"""Open local HTML pages in headless Chromium and report what a reader's browser sees.

A small client for the Chrome DevTools Protocol over ``--remote-debugging-pipe``
(JSON messages separated by NUL bytes on file descriptors 3 and 4): no open
port, no extra Python package, Debian's ``chromium`` is enough.

For every page it records console errors and uncaught exceptions, failed
loads, every request (so a test can assert that nothing left the machine),
each ``<img>`` with its ``naturalWidth``, every link and every element that
loads a resource, and saves a PNG screenshot.

Used by tests/test_browser.py; also runnable by hand::

    .venv/bin/python tests/browser/browser_check.py reports/ [--shots DIR]
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
#: Schemes that never leave the machine.
LOCAL_SCHEMES = ("file", "data", "about", "blob", "chrome", "devtools", "chrome-error")

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-extensions", "--disable-default-apps",
    "--mute-audio", "--hide-scrollbars", "--no-default-browser-check",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    # belt and braces: no host name resolves, so even a missed request cannot leave
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
    "--remote-debugging-pipe",
]

# Collects what the checks need, once the page has loaded.
PAGE_SCRIPT = r"""
(() => {
  const abs = (el, attr) => { const v = el.getAttribute(attr); return v === null ? null :
      new URL(v, document.baseURI).href; };
  const resources = [];
  for (const [sel, attr] of [["script[src]", "src"], ["link[href]", "href"], ["img[src]", "src"],
      ["iframe[src]", "src"], ["source[src]", "src"], ["video[src]", "src"],
      ["audio[src]", "src"], ["embed[src]", "src"], ["object[data]", "data"]]) {
    for (const el of document.querySelectorAll(sel)) {
      resources.push({tag: el.tagName.toLowerCase(), url: abs(el, attr)});
    }
  }
  return JSON.stringify({
    title: document.title,
    text_length: document.body ? document.body.innerText.length : 0,
    banner: document.body ? document.body.innerText.includes("SYNTHETISCHE DATA") : false,
    height: Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0),
    images: Array.from(document.images).map(img => ({
      src: (img.getAttribute("src") || "").slice(0, 80), complete: img.complete,
      naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
      alt: img.getAttribute("alt")})),
    links: Array.from(document.querySelectorAll("a[href]")).map(a => ({
      raw: a.getAttribute("href"), url: a.href})),
    resources: resources,
    // what a reader meets: the first section heading, the Kern's sentences, open settings,
    // the longest table (rows in its body)
    first_h2: (document.querySelector("h2") || {innerText: ""}).innerText.trim(),
    kern: Array.from(document.querySelectorAll("section.zwt-kern li")).map(li => li.innerText.trim()),
    open_details: document.querySelectorAll("details[open]").length,
    max_table_rows: Math.max(0, ...Array.from(document.querySelectorAll("table")).map(
        t => t.tBodies.length ? Array.from(t.tBodies).reduce((n, b) => n + b.rows.length, 0)
                              : t.rows.length - 1)),
    body_text: document.body ? document.body.innerText : "",
  });
})()
"""


class BrowserError(RuntimeError):
    """Chromium could not be started or stopped answering."""


def find_chromium() -> str | None:
    """Path of a Chromium binary (``$ZWT_CHROMIUM`` first), or None."""
    for c in (os.environ.get("ZWT_CHROMIUM"), *CANDIDATES, shutil.which("chromium")):
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    return None


@dataclass
class PageResult:
    """What one page showed in the browser."""

    path: Path
    loaded: bool = False
    console_errors: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    screenshot: Path | None = None

    @property
    def network_requests(self) -> list[str]:
        """Requests to anything but local schemes (file:, data: ...)."""
        return [u for u in self.requests if urlsplit(u).scheme not in LOCAL_SCHEMES]

    @property
    def broken_images(self) -> list[str]:
        return [i["src"] for i in self.info.get("images", [])
                if not i["complete"] or i["naturalWidth"] <= 0]

    @property
    def network_resources(self) -> list[str]:
        """Elements that would load from the network (script/link/img ... with http(s))."""
        return [f"<{r['tag']}> {r['url']}" for r in self.info.get("resources", [])
                if r["url"] and urlsplit(r["url"]).scheme not in LOCAL_SCHEMES]

    def broken_links(self) -> list[str]:
        """Local links (file:) whose target file does not exist."""
        out = []
        for link in self.info.get("links", []):
            parts = urlsplit(link["url"])
            if parts.scheme != "file":
                continue
            target = Path(unquote(parts.path))
            if not target.is_file():
                out.append(f"{link['raw']} -> {target}")
        return out

    def problems(self) -> list[str]:
        """Everything that makes the page fail the check (empty: fine)."""
        p = [] if self.loaded else ["page did not finish loading"]
        p += [f"console: {e}" for e in self.console_errors]
        p += [f"failed load: {e}" for e in self.failed_loads]
        p += [f"network request: {u}" for u in self.network_requests]
        p += [f"network resource: {u}" for u in self.network_resources]
        p += [f"image not loaded: {s}" for s in self.broken_images]
        p += [f"broken link: {b}" for b in self.broken_links()]
        return p


class Browser:
    """One headless Chromium driven over the DevTools pipe (use as a context manager)."""

    def __init__(self, executable: str, profile: Path | None = None, timeout: float = 60.0):
        self.executable = executable
        self.timeout = timeout
        self._own_profile = profile is None
        self.profile = Path(profile or tempfile.mkdtemp(prefix="zwt-chromium-"))
        self._next_id = 0
        self._buf = b""
        self.events: list[dict[str, Any]] = []
        self.proc: subprocess.Popen | None = None
        self.stderr_path = self.profile / "chromium-stderr.log"

    # -- process -------------------------------------------------------------
    def __enter__(self) -> Browser:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_fds() -> None:  # in the child: fd 3 = commands in, fd 4 = answers out
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)  # neither may already be 3/4
            os.dup2(a, 3)  # dup2 makes 3 and 4 inheritable
            os.dup2(b, 4)

        self._stderr = open(self.stderr_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [self.executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=self._stderr, stderr=self._stderr,
                close_fds=False, preexec_fn=wire_fds, start_new_session=True)
        finally:
            os.close(to_browser_r)
            os.close(from_browser_w)
        try:
            self.call("Browser.getVersion")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Ask the browser to quit, kill it if it does not, remove a temporary profile."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self._send("Browser.close")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired, BrowserError):
                pass
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, 9)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        for fd in ("_to_browser", "_from_browser"):
            if hasattr(self, fd):
                try:
                    os.close(getattr(self, fd))
                except OSError:
                    pass
                delattr(self, fd)
        if hasattr(self, "_stderr"):
            self._stderr.close()
        if self._own_profile:
            shutil.rmtree(self.profile, ignore_errors=True)

    # -- protocol ------------------------------------------------------------
    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            try:
                n = os.write(self._to_browser, data)
            except BrokenPipeError:
                raise BrowserError(f"chromium is gone: {self._stderr_tail()}") from None
            data = data[n:]
        return self._next_id

    def _read(self, deadline: float) -> dict[str, Any] | None:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._from_browser], [], [], min(left, 1.0))
            if not ready:
                if self.proc is not None and self.proc.poll() is not None:
                    raise BrowserError(f"chromium exited ({self.proc.returncode}); see "
                                       f"{self.stderr_path}: {self._stderr_tail()}")
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError(f"chromium closed the pipe: {self._stderr_tail()}")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _stderr_tail(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-800:]
        except OSError:
            return ""

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        """Send a command and wait for its answer; events meanwhile go to ``self.events``."""
        mid = self._send(method, params, session)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self._read(deadline)
            if msg is None:
                raise BrowserError(f"no answer to {method} within {timeout or self.timeout} s")
            if msg.get("id") == mid:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method: str, session: str, timeout: float) -> bool:
        """Wait until event ``method`` arrives for ``session`` (True) or time runs out."""
        deadline = time.monotonic() + timeout
        if any(e["method"] == method and e.get("sessionId") == session for e in self.events):
            return True
        while True:
            msg = self._read(deadline)
            if msg is None:
                return False
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == method and msg.get("sessionId") == session:
                    return True

    # -- pages ---------------------------------------------------------------
    def check_page(self, path: Path, screenshot: Path | None = None, width: int = 1280,
                   max_height: int = 6000, settle: float = 0.3) -> PageResult:
        """Load ``path`` in a fresh tab and collect a :class:`PageResult`."""
        res = PageResult(Path(path))
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.events = []
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable", session=session)
            self.call("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                session=session)
            url = Path(path).resolve().as_uri()
            nav = self.call("Page.navigate", {"url": url}, session=session)
            if nav.get("errorText"):
                res.failed_loads.append(f"{url}: {nav['errorText']}")
            res.loaded = self.wait_event("Page.loadEventFired", session, self.timeout)
            time.sleep(settle)  # late console messages
            value = self.call("Runtime.evaluate", {"expression": PAGE_SCRIPT,
                                                   "returnByValue": True}, session=session)
            res.info = json.loads(value["result"]["value"])
            if screenshot is not None:
                height = max(900, min(int(res.info.get("height") or 900), max_height))
                shot = self.call("Page.captureScreenshot", {
                    "format": "png", "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
                    session=session)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
                res.screenshot = screenshot
        finally:
            self._collect(res, session)
            try:
                self.call("Target.closeTarget", {"targetId": target})
            except BrowserError:
                pass
        return res

    def _collect(self, res: PageResult, session: str) -> None:
        for e in self.events:
            if e.get("sessionId") != session:
                continue
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                res.console_errors.append(f"console.{p['type']}: {args}"[:300])
            elif m == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                text = d.get("exception", {}).get("description") or d.get("text", "")
                res.console_errors.append(f"uncaught: {text}"[:300])
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                entry = p["entry"]
                res.console_errors.append(f"{entry.get('source')}: {entry.get('text')} "
                                          f"{entry.get('url', '')}"[:300])
            elif m == "Network.requestWillBeSent":
                res.requests.append(p.get("request", {}).get("url", ""))
            elif m == "Network.loadingFailed" and not p.get("canceled"):
                res.failed_loads.append(f"{p.get('errorText')} (request {p.get('requestId')})")


def main(argv: list[str]) -> int:
    """Check every HTML file under a folder; print problems; exit 1 when there are any."""
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--shots", type=Path, default=None, help="folder for screenshots")
    args = ap.parse_args(argv)
    exe = find_chromium()
    if exe is None:
        print("no chromium found (scripts/ensure_chromium.sh installs it)", file=sys.stderr)
        return 2
    pages = sorted(args.folder.rglob("*.html"))
    bad = 0
    with Browser(exe) as browser:
        for page in pages:
            rel = page.relative_to(args.folder)
            shot = args.shots / (str(rel).replace("/", "__") + ".png") if args.shots else None
            res = browser.check_page(page, shot)
            problems = res.problems()
            bad += bool(problems)
            print(f"{'FAIL' if problems else 'ok  '} {rel}"
                  f"  ({len(res.info.get('images', []))} images)")
            for p in problems:
                print(f"     {p}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
