"""`make lab` works: JupyterLab's server starts from the project's environment on loopback,
lists the project kernel, and runs notebooks/00_corpus.ipynb through it as a researcher
would (a notebook session, one execute request per cell carrying the cell id, as
JupyterLab sends them), then shuts down cleanly.

The server command line is the `lab` recipe of the Makefile itself (`make -n lab`), so the
test follows the Makefile; it only adds a free port, a token and a private runtime folder.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import nbformat
import pytest
import websocket

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = PROJECT_ROOT / "notebooks" / "00_corpus.ipynb"
KERNEL = "discourse-lab"
VENV = PROJECT_ROOT / ".venv"
START_TIMEOUT_S = 60
CELL_TIMEOUT_S = 120

pytestmark = pytest.mark.slow


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lab_command(port: int, token: str) -> str:
    """The command `make lab` runs (dry run, nothing executed), with port and token added."""
    args = f"--port={port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
    if os.geteuid() == 0:  # containers and CI runners often run as root; Jupyter refuses it
        args += " --allow-root"
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "lab", f"ARGS={args}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert dry.returncode == 0, f"`make -n lab` failed:\n{dry.stderr}"
    lines = [line for line in dry.stdout.splitlines() if "jupyter" in line and " lab" in line]
    assert lines, f"`make -n lab` runs no `jupyter lab`:\n{dry.stdout}"
    return lines[-1]  # earlier lines, if any, (re)install .venv: not this test's business


class Lab:
    """A running server: REST calls and cell execution over the kernel websocket."""

    def __init__(self, proc: subprocess.Popen, port: int, token: str, folder: Path) -> None:
        self.proc = proc
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.token = token
        self.log = folder / "server.log"
        self.runtime = folder / "runtime"
        self.session = uuid.uuid4().hex  # the client session id sent with each message

    def connect(self, kernel_id: str) -> websocket.WebSocket:
        """The kernel's websocket, as JupyterLab opens it (JSON messages with a channel)."""
        return websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/api/kernels/{kernel_id}/channels"
            f"?session_id={self.session}",
            header=[f"Authorization: token {self.token}"],
            timeout=CELL_TIMEOUT_S,
        )

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text.strip() else None

    def execute(self, ws: websocket.WebSocket, code: str, cell_id: str | None) -> dict:
        """Run one cell; return its stdout, errors and the MIME types it displayed."""
        msg_id = uuid.uuid4().hex
        ws.send(
            json.dumps(
                {
                    "channel": "shell",
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "session": self.session,
                        "username": "test-lab",
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": {"cellId": cell_id} if cell_id else {},
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                    "buffers": [],
                }
            )
        )
        result: dict[str, Any] = {"stdout": "", "errors": [], "displayed": [], "status": None}
        idle = False
        deadline = time.monotonic() + CELL_TIMEOUT_S
        while not (idle and result["status"]):
            if time.monotonic() > deadline:
                pytest.fail(f"cell {cell_id!r} did not finish in {CELL_TIMEOUT_S} s")
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                result["stdout"] += content["text"]
            elif kind == "error":
                result["errors"].append("\n".join(content["traceback"]))
            elif kind in ("display_data", "execute_result"):
                result["displayed"].append(sorted(content["data"]))
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                result["status"] = content["status"]
        return result


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server started by the Makefile's command; stopped and checked after."""
    if not (VENV / "bin" / "jupyter").exists():
        pytest.fail(f"{VENV}/bin/jupyter is missing: run `make test` (or `make lab`) to install")
    port, token = free_loopback_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    with (tmp_path / "server.log").open("w") as log:
        proc = subprocess.Popen(
            ["bash", "-c", "exec " + lab_command(port, token)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kernels go with it
        )
    server = Lab(proc, port, token, tmp_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited {proc.returncode}:\n{server.log.read_text()}")
            try:
                if server.request("GET", "/api/status")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no /api/status in {START_TIMEOUT_S} s:\n{server.log.read_text()}")
            time.sleep(0.25)
        yield server
    finally:
        if proc.poll() is None:  # the test failed before its clean shutdown
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_lab_serves_the_project_kernel_and_runs_a_notebook(lab, tmp_path):
    # the server is the one `make lab` describes: loopback only, rooted at the project
    [info_file] = lab.runtime.glob("jpserver-*.json")
    info = json.loads(info_file.read_text())
    assert info["hostname"] == "127.0.0.1" and info["pid"] == lab.proc.pid
    assert Path(info["root_dir"]).resolve() == PROJECT_ROOT.resolve()

    # the project kernel is registered inside .venv and runs .venv's python
    _, specs = lab.request("GET", "/api/kernelspecs")
    assert KERNEL in specs["kernelspecs"], (
        f"kernel spec {KERNEL!r} is not registered (found {sorted(specs['kernelspecs'])}); "
        "`make` registers it: .venv/bin/python -m ipykernel install --sys-prefix "
        f"--name {KERNEL} --display-name 'Discourse Lab'"
    )
    spec = specs["kernelspecs"][KERNEL]["spec"]
    assert spec["display_name"] == "Discourse Lab"
    assert Path(spec["argv"][0]).parent.resolve() == (VENV / "bin").resolve()

    # open the notebook as JupyterLab does: a session, which starts the kernel
    status, session = lab.request(
        "POST",
        "/api/sessions",
        {
            "path": NOTEBOOK.relative_to(PROJECT_ROOT).as_posix(),
            "type": "notebook",
            "name": "",
            "kernel": {"name": KERNEL},
        },
    )
    assert status == 201 and session["kernel"]["name"] == KERNEL
    ws = lab.connect(session["kernel"]["id"])
    try:
        probe = lab.execute(
            ws, "import os, sys, analysis\nprint(analysis.__file__, sys.prefix, os.getcwd())", None
        )
        assert probe["errors"] == [], probe["errors"]
        package, prefix, cwd = probe["stdout"].split()
        # importable without path hacks: the editable install, from the notebooks folder
        assert Path(package).resolve() == PROJECT_ROOT / "analysis" / "__init__.py"
        assert Path(prefix).resolve() == VENV.resolve()
        assert Path(cwd).resolve() == NOTEBOOK.parent.resolve()

        out = tmp_path / "out"
        nb = nbformat.read(NOTEBOOK, as_version=4)
        pngs = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            result = lab.execute(ws, cell.source, cell.id)
            assert result["status"] == "ok" and not result["errors"], (
                f"cell {cell.id!r} of {NOTEBOOK.name} failed:\n" + "\n".join(result["errors"])
            )
            pngs += sum("image/png" in mimes for mimes in result["displayed"])
            if "parameters" in cell.metadata.get("tags", []):  # as papermill injects them
                lab.execute(ws, f"output_dir = {str(out)!r}", "injected-parameters")
    finally:
        ws.close()

    # every figure was written, displayed, and cites the cell that made it
    sidecars = sorted((out / "figures").glob("*.json"))
    assert sidecars, f"no figures written to {out}"
    assert pngs == len(sidecars)
    positions = {cell.id: i for i, cell in enumerate(nb.cells)}
    for sidecar in sidecars:
        record = json.loads(sidecar.read_text())
        assert record["notebook"] == "notebooks/00_corpus.ipynb", sidecar.name
        cell_id = record["cell"]["id"]  # sent by the client as JupyterLab sends it
        assert cell_id in positions and positions[cell_id] == record["cell"]["index"], (
            f"{sidecar.name} cites cell {record['cell']}"
        )

    # clean shutdown: the session's kernel, then the server, which must exit 0
    assert lab.request("DELETE", f"/api/sessions/{session['id']}")[0] == 204
    assert lab.request("POST", "/api/shutdown")[0] == 200
    assert lab.proc.wait(timeout=30) == 0, lab.log.read_text()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", lab.port)) != 0
