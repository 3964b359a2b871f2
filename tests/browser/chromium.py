"""A headless Chromium driven over the Chrome DevTools protocol (no driver, no download).

Debian's `chromium` package (installed by .ci/run with apt-get) is started with a fresh
profile and `--remote-debugging-port=0`; the port is read from DevToolsActivePort and every
page is a websocket. Waits are on DOM conditions with generous limits, never on durations.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
)
START_TIMEOUT_S = 60
WAIT_TIMEOUT_S = 120


class BrowserError(AssertionError):
    """The browser did not do what the test waited for."""


class Page:
    """One tab: send protocol commands, evaluate JavaScript, wait for conditions."""

    def __init__(self, ws_url: str, target_id: str = "") -> None:
        self.target_id = target_id
        self.ws = websocket.create_connection(ws_url, timeout=WAIT_TIMEOUT_S, suppress_origin=True)
        self.next_id = 0
        self.console: list[str] = []

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        msg_id = self.next_id
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params or {}}))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if reply.get("method") == "Runtime.exceptionThrown":
                details = reply["params"]["exceptionDetails"]
                self.console.append(str(details.get("exception", {}).get("description", details)))

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (promises awaited); page errors raise."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:80]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = WAIT_TIMEOUT_S, what: str = "") -> Any:
        """Poll until `expression` is truthy in the page; its value (True for an element).
        Fails after `timeout` seconds, saying what the page showed."""
        deadline = time.monotonic() + timeout
        # truthiness judged in the page: an element (sent back as {}) counts as found
        probe = f"(v => [!!v, v instanceof Node ? true : v])({expression})"
        while True:
            found, value = self.evaluate(probe)
            if found:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"gave up waiting for {what or expression}; {self.state()}")
            time.sleep(0.25)

    def state(self) -> str:
        """What the page shows, for a failure message: its URL and the start of its text."""
        try:
            return str(self.evaluate("location.href + ': ' + document.body.innerText.slice(-1500)"))
        except BrowserError as err:
            return f"(page state unavailable: {err})"

    def open(self, url: str, width: int = 1280, height: int = 800) -> None:
        """Load `url` at a `width` x `height` viewport and wait for the document."""
        self.send("Runtime.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.send("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete'", what=f"{url} to load")

    def hover(self, selector: str) -> None:
        """Move the mouse onto the centre of the first element matching `selector`."""
        x, y = self.centre(selector)
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of the first element matching `selector`."""
        x, y = self.centre(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def centre(self, selector: str) -> tuple[float, float]:
        box = self.wait_for(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return r.width && r.height ? [r.x + r.width / 2, r.y + r.height / 2] : null; })()",
            what=f"a visible {selector}",
        )
        return box[0], box[1]

    def type_text(self, text: str) -> None:
        """Type into the focused element, as a keyboard does."""
        self.send("Input.insertText", {"text": text})

    def press(self, key: str, code: str = "", key_code: int = 0) -> None:
        """Press and release a key; Enter also types its character (as a keyboard does)."""
        params = {"key": key, "code": code or key, "windowsVirtualKeyCode": key_code}
        text = {"Enter": "\r"}.get(key)
        down = {"type": "keyDown", **params, **({"text": text} if text else {})}
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **params})

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        self.ws.close()


class Chromium:
    """A headless Chromium with its own temporary profile; stop() ends it."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="discourse-lab-chromium-"))
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (port_file.is_file() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise BrowserError(f"{CHROMIUM} did not start (exit {self.proc.returncode})")
            time.sleep(0.1)
        self.port = int(port_file.read_text().split()[0])

    def new_page(self) -> Page:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            target = json.loads(response.read())
        return Page(target["webSocketDebuggerUrl"], target["id"])

    def close_page(self, page: Page) -> None:
        """Close a tab without running its beforeunload handlers (JupyterLab asks "leave?")."""
        page.close()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{self.port}/json/close/{page.target_id}", timeout=30
        ):
            pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def overlapping_boxes(page: Page, selectors: list[str]) -> list[str]:
    """Pairs of the elements (first match of each selector) whose boxes overlap."""
    return page.evaluate(
        "(() => { const sel = " + json.dumps(selectors) + ";"
        " const boxes = sel.map(s => { const e = document.querySelector(s);"
        "   if (!e) throw new Error('no element ' + s); return e.getBoundingClientRect(); });"
        " const out = [];"
        " for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {"
        "   const a = boxes[i], b = boxes[j];"
        "   if (a.left < b.right - 0.5 && b.left < a.right - 0.5 &&"
        "       a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)"
        "     out.push(sel[i] + ' x ' + sel[j]); }"
        " return out; })()"
    )
