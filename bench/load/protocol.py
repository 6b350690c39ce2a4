"""A Streamlit browser session without a browser: Streamlit's own websocket protocol, spoken from Python.

What the browser does, and so what this does (Streamlit 1.67, starlette server):
- opens `ws://HOST:PORT/_stcore/stream` with the subprotocol "streamlit" (the browser puts an XSRF token and a
  previous session id in the same header; neither is needed for a new session without sign-in);
- sends a `BackMsg.rerun_script` holding a `ClientState`: the page (its `page_name` = the URL path, e.g.
  "assess", the first time; its `page_script_hash` from the `navigation` message after that), the query string,
  the context (URL, time zone, locale) and the `WidgetStates` of every widget on screen;
- reads `ForwardMsg`s: `new_session` (the session id), `navigation` (the pages and the page running), `delta`s (elements and blocks; a widget's proto
  carries its `id`, "$$ID-<hash>-<key>" when the page gave a key), then `script_finished`.
Answering a widget = keeping its new value among the widget states and rerunning, exactly as the browser does:
widgets inside an `st.fragment` rerun their fragment (`fragment_id`), widgets inside an `st.form` wait for the
form's submit button. Files go up as the browser sends them: `file_urls_request` over the socket, an HTTP PUT
(multipart, with the XSRF cookie of `/_stcore/health` echoed in `X-Xsrftoken`), then the uploader's state.

Widgets are found by their key or label in the delta stream, never by a hard-coded id, so a page that changes
its layout keeps working as long as its keys and labels mean the same thing.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Self

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
TEXT_KINDS = ("markdown", "heading", "alert", "text", "code")


class ProtocolError(RuntimeError):
    """The server did something a browser would show as an error (exception element, page not found, a failed
    upload), or nothing at all within the time allowed."""


@dataclass
class Widget:
    """One widget as the last run drew it."""

    id: str
    kind: str  # the Element field: "radio", "selectbox", "text_input", "button", "checkbox", ...
    label: str
    options: list[str]
    disabled: bool
    form_id: str
    fragment_id: str
    proto: object

    @property
    def key(self) -> str | None:
        """The key the page gave (None when it gave none)."""
        key = self.id.split("-", maxsplit=2)[-1] if self.id.startswith("$$ID-") else None
        return None if key in (None, "None") else key


@dataclass
class Run:
    """One script run as the client saw it: from the rerun request to `script_finished`."""

    seconds: float
    status: int
    messages: int = 0
    bytes: int = 0
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    alerts: list[tuple[int, str]] = field(default_factory=list)  # (Alert.Format: 1 error, 2 warning, ..., body)


class Session:
    """One browser tab on one app process. Use `async with Session(port, "assess", "c=CODE") as s:`."""

    def __init__(
        self,
        port: int,
        page: str = "",
        query: str = "",
        *,
        host: str = "127.0.0.1",
        forwarded_for: str | None = None,
        timeout: float = 120.0,
    ):
        self.port, self.host, self.page, self.query, self.timeout = port, host, page, query, timeout
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        self.ws = None
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url path ("" for the main page) -> page_script_hash
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}  # id -> widget, as the last full run (and later fragment runs) drew it
        self.texts: list[str] = []
        self.states: dict[str, WidgetState] = {}  # id -> the value this "browser" holds for the widget
        self.pending_form: dict[str, WidgetState] = {}  # form widgets changed, not yet submitted
        self._forward: asyncio.Queue = asyncio.Queue()
        self._reader: asyncio.Task | None = None
        self.runs: list[Run] = []

    # --- the connection -----------------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def open(self) -> Run:
        """Connect and run the page once (what opening the URL in a browser does); returns that first run."""
        self.ws = await connect(
            f"ws://{self.host}:{self.port}/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers=self.headers,
            proxy=None,  # loopback only: never through an HTTP(S)_PROXY of the environment
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,  # the server pings; the library answers
            close_timeout=2,
        )
        self._reader = asyncio.create_task(self._read())
        return await self.rerun()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                await self._forward.put(data)
        except Exception as exc:  # noqa: BLE001 - a closed socket ends the session; the waiting run reports it
            await self._forward.put(exc)
        else:
            await self._forward.put(ProtocolError("the server closed the connection"))

    # --- runs -------------------------------------------------------------------------------------------------
    def url(self) -> str:
        path = "" if not self.page else self.page
        return f"http://{self.host}:{self.port}/{path}" + (f"?{self.query}" if self.query else "")

    async def rerun(self, *, fragment_id: str = "", triggers: dict[str, WidgetState] | None = None) -> Run:
        """Send the widget states (plus one-shot `triggers`, e.g. a button press) and wait for the run's end."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        if not self.page_hash:  # the first request names the page by its URL path, as the browser does
            cs.page_name = self.page
        cs.fragment_id = fragment_id
        cs.context_info.url = self.url()
        cs.context_info.timezone = "Asia/Bangkok"
        cs.context_info.timezone_offset = -420
        cs.context_info.locale = "th-TH"
        for wid, state in {**self.states, **(triggers or {})}.items():
            w = cs.widget_states.widgets.add()
            w.CopyFrom(state)
            w.id = wid
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = await self._wait(started, fragment=bool(fragment_id))
        self.runs.append(run)
        return run

    async def _wait(self, started: float, *, fragment: bool) -> Run:
        """Read ForwardMsgs until a run ends well (an early end for `st.rerun` is followed by the real one)."""
        texts: list[str] = []
        exceptions: list[str] = []
        alerts: list[tuple[int, str]] = []
        widgets: dict[str, Widget] = {}
        n = size = 0
        deadline = started + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise ProtocolError(f"no script_finished within {self.timeout:.0f} s ({self.url()})")
            try:
                data = await asyncio.wait_for(self._forward.get(), left)
            except TimeoutError:
                continue
            if isinstance(data, BaseException):
                raise ProtocolError(f"connection lost: {data}") from data
            n, size = n + 1, size + len(data)
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                ns = fm.new_session
                self.session_id = ns.initialize.session_id or self.session_id
                texts, widgets, alerts = [], {}, []  # a new full run starts from an empty page
            elif kind == "navigation":  # the pages (a pages/ folder is one st.navigation) and the one running
                nav = fm.navigation
                self.pages = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
                self.page_hash = nav.page_script_hash or self.page_hash
            elif kind == "delta":
                self._delta(fm.delta, texts, exceptions, widgets, alerts)
            elif kind == "page_not_found":
                raise ProtocolError(f"page not found: {fm.page_not_found.page_name!r}")
            elif kind == "script_finished":
                status = fm.script_finished
                if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    raise ProtocolError(f"the page did not compile ({self.url()})")
                if status not in DONE:  # stopped early for a rerun (st.rerun): the next run follows
                    texts, widgets, alerts = [], {}, []
                    continue
                partial = fragment or status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                if partial:  # a fragment redraws its part: the rest of the page stays
                    self.widgets.update(widgets)
                    self.texts += texts
                else:
                    self.widgets, self.texts = widgets, texts
                    # the browser holds values only for widgets still on screen
                    self.states = {k: v for k, v in self.states.items() if k in widgets}
                run = Run(time.perf_counter() - started, status, n, size, texts, exceptions, alerts)
                if exceptions:
                    raise ProtocolError("the page raised: " + " | ".join(exceptions)[:500])
                return run

    @staticmethod
    def _delta(delta, texts: list[str], exceptions: list[str], widgets: dict[str, Widget], alerts: list) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(el, kind)
        if kind == "exception":
            exceptions.append(f"{proto.type}: {proto.message}")
        elif kind in TEXT_KINDS:
            texts.append(proto.code_text if kind == "code" else proto.body)
            if kind == "alert":
                alerts.append((proto.format, proto.body))
        elif kind == "metric":
            texts.append(f"{proto.label}: {proto.body}")
        elif kind == "progress":
            texts.append(proto.text)
        wid = getattr(proto, "id", "")
        if wid and hasattr(proto, "disabled"):
            widgets[wid] = Widget(
                id=wid,
                kind=kind,
                label=getattr(proto, "label", ""),
                options=list(getattr(proto, "options", [])),
                disabled=bool(proto.disabled),
                form_id=getattr(proto, "form_id", ""),
                fragment_id=delta.fragment_id,
                proto=proto,
            )

    # --- finding and answering widgets ------------------------------------------------------------------------
    def find(self, key: str | None = None, *, label: str | None = None, kind: str | None = None) -> Widget:
        """The one widget with this key (exact), else whose label contains `label`, of `kind` if given."""
        found = self.find_all(key=key, label=label, kind=kind)
        if not found:
            raise ProtocolError(f"no widget key={key!r} label={label!r} kind={kind!r} on {self.url()}")
        return found[0]

    def find_all(self, key: str | None = None, *, prefix: str | None = None, label=None, kind=None) -> list[Widget]:
        out = []
        for w in self.widgets.values():
            if key is not None and w.key != key:
                continue
            if prefix is not None and not (w.key or "").startswith(prefix):
                continue
            if label is not None and label not in w.label:
                continue
            if kind is not None and w.kind != kind:
                continue
            out.append(w)
        return out

    def has_value(self, w: Widget) -> bool:
        return w.id in self.states or w.id in self.pending_form

    async def set(self, w: Widget, value) -> Run | None:
        """Give a widget a value as a person would: a choice (by its label), text, a tick, a date ("YYYY-MM-DD").
        Returns the rerun (None inside a form: nothing is sent until the form is submitted)."""
        state = WidgetState(id=w.id)
        if w.kind in ("radio", "selectbox"):
            if value not in w.options:
                raise ProtocolError(f"{value!r} is not an option of {w.label!r}: {w.options[:8]}")
            state.string_value = value
        elif w.kind in ("text_input", "text_area"):
            state.string_value = value
        elif w.kind == "checkbox":
            state.bool_value = bool(value)
        elif w.kind == "date_input":
            state.string_array_value.data[:] = [value]
        elif w.kind == "number_input":
            state.double_value = float(value)
        else:
            raise ProtocolError(f"setting a {w.kind} is not supported by this client")
        if w.form_id:
            self.pending_form[w.id] = state
            return None
        self.states[w.id] = state
        return await self.rerun(fragment_id=w.fragment_id)

    async def click(self, w: Widget) -> Run:
        """Press a button (a form's submit button also sends the form's values)."""
        if w.disabled:
            raise ProtocolError(f"button {w.label!r} is disabled")
        if getattr(w.proto, "is_form_submitter", False):
            self.states.update(self.pending_form)
            self.pending_form.clear()
        return await self.rerun(fragment_id=w.fragment_id, triggers={w.id: WidgetState(id=w.id, trigger_value=True)})

    async def upload(self, w: Widget, name: str, content: bytes, mime: str = "text/csv") -> Run:
        """Put one file into a file_uploader as the browser does, then rerun with the uploader's state."""
        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id
        await self.ws.send(request.SerializeToString())
        urls = await self._file_urls(request.file_urls_request.request_id)
        await asyncio.to_thread(self._put, urls.upload_url, name, content, mime)
        state = WidgetState(id=w.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(content)
        info.file_urls.CopyFrom(urls)
        self.states[w.id] = state
        return await self.rerun(fragment_id=w.fragment_id)

    async def _file_urls(self, request_id: str):
        deadline = time.perf_counter() + self.timeout
        while time.perf_counter() < deadline:
            data = await asyncio.wait_for(self._forward.get(), deadline - time.perf_counter())
            if isinstance(data, BaseException):
                raise ProtocolError(f"connection lost: {data}") from data
            fm = ForwardMsg()
            fm.ParseFromString(data)
            if fm.WhichOneof("type") == "file_urls_response" and fm.file_urls_response.response_id == request_id:
                if fm.file_urls_response.error_msg:
                    raise ProtocolError("upload refused: " + fm.file_urls_response.error_msg)
                return fm.file_urls_response.file_urls[0]
        raise ProtocolError("no file_urls_response")

    def _put(self, upload_url: str, name: str, content: bytes, mime: str) -> None:
        base = f"http://{self.host}:{self.port}"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy
        with opener.open(base + "/_stcore/health", timeout=self.timeout) as r:  # sets the XSRF cookie
            cookie = next(
                (c.split(";")[0] for c in r.headers.get_all("Set-Cookie") or [] if c.startswith("_streamlit_xsrf=")),
                "",
            )
        boundary = uuid.uuid4().hex
        quoted = urllib.parse.quote(name)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
                f"Content-Type: {mime}\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if cookie:
            headers |= {"Cookie": cookie, "X-Xsrftoken": cookie.split("=", 1)[1]}
        url = upload_url if upload_url.startswith("http") else base + upload_url
        req = urllib.request.Request(url, data=body, method="PUT", headers=headers)
        with opener.open(req, timeout=self.timeout) as r:
            if r.status not in (200, 204):
                raise ProtocolError(f"upload answered HTTP {r.status}")

    async def goto(self, path: str, query: str = "") -> Run:
        """Open another page of the app in this session (what a page link does)."""
        self.page, self.query = path, query
        self.page_hash = self.pages.get(path, "")
        self.states.clear()
        return await self.rerun()
