"""A small client of Streamlit's own websocket protocol, for load and fault tests.

A browser is too heavy to run thirty sessions on a 2-core machine; this client speaks to the
server exactly as Streamlit's frontend does, with the ``streamlit.proto`` messages shipped in
the streamlit package, and nothing else:

1. ``GET /_stcore/health``, which sets the ``_streamlit_xsrf`` cookie (XSRF protection is on);
2. a websocket to ``ws://127.0.0.1:PORT/_stcore/stream`` whose ``Sec-WebSocket-Protocol``
   header is ``streamlit, <xsrf token>[, <session id>]`` (the frontend's handshake: the
   server selects ``streamlit``, checks the token against the cookie, and reattaches the
   session whose id is third, when it still exists), with the cookie and an ``Origin``;
3. a ``BackMsg.rerun_script`` (a ``ClientState``: page name, page hash, widget states and,
   for a widget inside a fragment, the fragment's id) for every run, after which the server
   sends ``ForwardMsg`` s (``new_session``, ``delta`` s with the elements, …) until
   ``script_finished``.

Like the frontend, a session keeps every widget value it has set and sends them all with
each rerun. It announces no cached messages, so the server sends every element in full
(a browser is sent references to elements it already holds).

:class:`StepperClient` drives a page's stepping view (``em_ui/stepper.py``) the way a click
on its step buttons does: the buttons are a custom component whose value is
``{"position": {"h": H, "seq": S}}``, sent as a fragment rerun.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import ClientConnection, connect

XSRF_COOKIE = "_streamlit_xsrf"
FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
}
SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


class ProtocolError(RuntimeError):
    """The server answered with something a browser would not accept, or not in time."""


@dataclass
class Run:
    """What one script run sent: its elements by delta path, and how it ended."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    fragment_ids: dict[tuple[int, ...], str] = field(default_factory=dict)
    status: int | None = None
    seconds: float = 0.0

    def of_type(self, kind: str) -> list[Any]:
        """The payloads (``Element.<kind>``) of this run's elements of one type, in order."""
        return [
            getattr(element, kind)
            for _, element in sorted(self.elements.items())
            if element.WhichOneof("type") == kind
        ]

    def keyed(self, kind: str, key: str) -> tuple[Any, tuple[int, ...]] | None:
        """The element of type ``kind`` whose widget key is ``key``, with its delta path."""
        for path, element in self.elements.items():
            if element.WhichOneof("type") == kind and getattr(element, kind).id.endswith(f"-{key}"):
                return getattr(element, kind), path
        return None

    def exceptions(self) -> list[str]:
        """Messages of the exceptions this run shows (none, in a healthy app)."""
        return [f"{e.type}: {e.message}" for e in self.of_type("exception")]


def xsrf_cookie(base_url: str, *, timeout_s: float = 10.0) -> str:
    """The XSRF cookie the server sets on ``/_stcore/health``, as the frontend first asks."""
    with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=timeout_s) as response:
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            if name.strip() == XSRF_COOKIE:
                return rest.split(";", 1)[0]
    raise ProtocolError(f"{base_url}/_stcore/health set no {XSRF_COOKIE} cookie")


class Session:
    """One browser tab's worth of Streamlit: a websocket, a session id, widget values.

    Parameters
    ----------
    base_url : str
        ``http://127.0.0.1:PORT``; only 127.0.0.1 is accepted.
    page_name : str
        The page's URL path without the slash (``"worked_example"``), as in the address bar.
    timeout_s : float
        How long a run may take before :class:`ProtocolError`.
    query_string : str
        The address's query string without the ``?`` (a link's settings), as the frontend
        sends it with every run.
    """

    def __init__(
        self, base_url: str, page_name: str, *, timeout_s: float = 60.0, query_string: str = ""
    ) -> None:
        if not re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url):
            raise ValueError(f"only http://127.0.0.1:PORT is allowed, not {base_url!r}")
        self.base_url = base_url
        self.page_name = page_name
        self.timeout_s = timeout_s
        self.query_string = query_string
        self.session_id: str | None = None
        self.page_script_hash = ""
        self.widgets: dict[str, WidgetState] = {}
        self._ws: ClientConnection | None = None
        self._stack = contextlib.ExitStack()

    def connect(self, *, resume: bool = False) -> None:
        """Open the websocket; with ``resume``, ask for the session this client had."""
        cookie = xsrf_cookie(self.base_url)
        protocols = ["streamlit", cookie]
        if resume and self.session_id:
            protocols.append(self.session_id)
        port = self.base_url.rsplit(":", 1)[1]
        self._ws = self._stack.enter_context(
            connect(
                f"ws://127.0.0.1:{port}/_stcore/stream",
                subprotocols=protocols,  # type: ignore[arg-type]
                origin=self.base_url,  # type: ignore[arg-type]
                additional_headers={"Cookie": f"{XSRF_COOKIE}={cookie}"},
                open_timeout=self.timeout_s,
                max_size=None,
            )
        )
        if self._ws.subprotocol != "streamlit":
            raise ProtocolError(f"the server chose subprotocol {self._ws.subprotocol!r}")

    def close(self) -> None:
        """Close the websocket, as a tab that is closed or loses its network does."""
        self._ws = None
        self._stack.close()

    def set_widget(self, widget_id: str, **value: Any) -> None:
        """Remember a widget's value (``json_value="…"``, ``int_value=3``, …) for every rerun."""
        state = WidgetState(id=widget_id)
        for name, item in value.items():
            if name.endswith("_array_value"):
                getattr(state, name).data.extend(item)
            else:
                setattr(state, name, item)
        self.widgets[widget_id] = state

    def rerun(self, *, fragment_id: str = "") -> Run:
        """Ask for a run with the current widget values; return what it sent."""
        if self._ws is None:
            raise ProtocolError("not connected")
        message = BackMsg()
        state = message.rerun_script
        state.page_name = self.page_name
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.fragment_id = fragment_id
        state.widget_states.widgets.extend(self.widgets.values())
        started = time.perf_counter()
        self._ws.send(message.SerializeToString())
        run = Run()
        deadline = started + self.timeout_s
        while run.status is None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ProtocolError(f"no script_finished within {self.timeout_s:.0f} s")
            try:
                data = self._ws.recv(timeout=remaining)
            except TimeoutError as error:
                raise ProtocolError(f"no script_finished within {self.timeout_s:.0f} s") from error
            self._receive(data, run)
        run.seconds = time.perf_counter() - started
        if run.status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            raise ProtocolError("the script did not compile")
        return run

    def _receive(self, data: str | bytes, run: Run) -> None:
        if isinstance(data, str):
            raise ProtocolError("the server sent a text frame")
        message = ForwardMsg()
        message.ParseFromString(data)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.session_id = message.new_session.initialize.session_id
        elif kind == "navigation":  # the page this run shows, which the next run must name
            self.page_script_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":  # the address the page set, sent with the next run
            self.query_string = message.page_info_changed.query_string
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            path = tuple(message.metadata.delta_path)
            run.elements[path] = message.delta.new_element
            run.fragment_ids[path] = message.delta.fragment_id
        elif kind == "ref_hash":
            raise ProtocolError("the server sent a cached reference this client never asked for")
        elif kind == "script_finished" and message.script_finished in FINISHED:
            run.status = message.script_finished


@dataclass(frozen=True)
class View:
    """What a stepping view shows after a run: the half-step of the page (its buttons), of
    the chart, and the log-likelihood metric's label and value, as sent."""

    page_h: int
    chart_h: int | None
    metric_label: str
    metric_value: str
    last: int

    @property
    def params_index(self) -> int | None:
        """t of the label "Log-likelihood ℓ(θ_t)", or None if the label is not that."""
        found = re.fullmatch(r"Log-likelihood ℓ\(θ(\d+)\)", self.metric_label.translate(SUBSCRIPTS))
        return int(found.group(1)) if found else None


class StepperClient:
    """A session on a page with a stepping view (key ``key``), moved as its buttons do."""

    def __init__(self, session: Session, key: str) -> None:
        self.session = session
        self.key = key
        self.seq = 0
        self.controls_id = ""
        self.fragment_id = ""
        self.last_run = Run()

    def open(self) -> View:
        """Connect and run the page, as loading its address does."""
        self.session.connect()
        return self.read(self.session.rerun())

    def read(self, run: Run) -> View:
        """The view a run drew; raises :class:`ProtocolError` if it is incomplete."""
        self.last_run = run
        if run.exceptions():
            raise ProtocolError("the page shows an exception: " + "; ".join(run.exceptions()))
        found = run.keyed("bidi_component", f"{self.key}.controls")
        if found is None:
            raise ProtocolError(f"the run drew no step buttons ({self.key}.controls)")
        controls, path = found
        self.controls_id = controls.id
        self.fragment_id = run.fragment_ids[path]
        data = json.loads(controls.bytes.decode() if controls.bytes else controls.json)
        chart = run.keyed("plotly_chart", f"{self.key}.chart")
        chart_h = None
        if chart is not None:
            spec = json.loads(chart[0].spec)
            meta = spec.get("layout", {}).get("meta", {})
            chart_h = meta.get("half_step") if isinstance(meta, dict) else None
            if isinstance(meta, dict) and meta.get("every_half_step"):
                # A chart the step buttons move in the browser, to the frame of the page's h.
                name = str(data["h"])
                frame = next((f for f in spec.get("frames", []) if f.get("name") == name), None)
                chart_h = None if frame is None else frame["layout"]["meta"]["half_step"]
        metrics = [m for m in run.of_type("metric") if m.label.startswith("Log-likelihood")]
        if len(metrics) != 1:
            raise ProtocolError(f"the run drew {len(metrics)} log-likelihood metrics, not 1")
        self.seq = max(self.seq, int(data["ack"]))
        return View(int(data["h"]), chart_h, metrics[0].label, metrics[0].body, int(data["last"]))

    def step_to(self, h: int) -> tuple[View, float]:
        """Send half-step ``h`` as a click of the buttons does; the view and the seconds the
        server took from the click to the end of its update."""
        self.seq += 1
        self.session.set_widget(
            self.controls_id, json_value=json.dumps({"position": {"h": h, "seq": self.seq}})
        )
        run = self.session.rerun(fragment_id=self.fragment_id)
        return self.read(run), run.seconds
