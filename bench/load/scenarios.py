"""What the people of a load run do, over `protocol.Session`: staff answer the self-assessment, executives open
/overview, HR uploads a survey file. Each action's wall time goes to a `Recorder`.

Widgets are found by their key (the pages' keys: `as_id`, `as_group`, `as_u_<unit>`, `as_submit`, `as_again`
on /assess; `up_*` on /upload), with a fallback by kind and label, so the scenarios keep working when a page
moves its widgets around (into a fragment or a form: `protocol.Session` handles both).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.load.protocol import ProtocolError, Session, Widget

ROOT = Path(__file__).resolve().parents[2]
UPLOAD_FILE = ROOT / "data" / "demo" / "demo_agency-a_2025-06-30.csv"
UPLOAD_AGENCY = "กรมตัวอย่างดิจิทัล (DEMO ข้อมูลสาธิต)"  # the demo agency of that file, in the store already
UPLOAD_ROUND = "2026-03-31"  # a round the demo store does not have: no "people already in this round" question
ERROR, SUCCESS = 1, 4  # Alert.Format


@dataclass
class Recorder:
    """Wall seconds per action (with when each ended), and failures per action with their first messages."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    ends: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, action: str, seconds: float) -> None:
        self.times[action].append(seconds)
        self.ends[action].append(time.monotonic())

    def fail(self, action: str, message: str) -> None:
        self.failures[action].append(message[:300])

    def count(self, actions, start: float = float("-inf"), end: float = float("inf")) -> int:
        """Actions of these kinds that ended within [start, end)."""
        return sum(start <= t < end for a in actions for t in self.ends.get(a, []))


async def timed(rec: Recorder, action: str, coro):
    """Await `coro` (a Session call), recording its wall time under `action`; ProtocolError recorded and raised."""
    t0 = time.perf_counter()
    try:
        out = await coro
    except ProtocolError as exc:
        rec.fail(action, str(exc))
        raise
    rec.add(action, time.perf_counter() - t0)
    return out


def pick(s: Session, key: str, *, kind: str, label: tuple[str, ...] = ()) -> Widget:
    """The widget with this key; else the only `kind` widget whose label holds one of `label` (Thai or English)."""
    found = s.find_all(key=key)
    if not found:
        found = [w for w in s.find_all(kind=kind) if not label or any(x in w.label for x in label)]
        found = [w for w in found if not (w.key or "").startswith("_")]  # the shell's language / present toggles
    if not found:
        raise ProtocolError(f"no {kind} {key!r} {label} on {s.url()}")
    return found[0]


def unit_radios(s: Session) -> list[Widget]:
    """The form's level questions still unanswered: radios keyed as_u_<unit> (else every radio but the shell's)."""
    radios = s.find_all(prefix="as_u_", kind="radio") or [
        w for w in s.find_all(kind="radio") if not (w.key or "").startswith("_")
    ]
    return [w for w in radios if not s.has_value(w)]


def _level(w: Widget, rng: random.Random) -> str:
    """A level a person would pick: 0-4 mostly, "not assessed" (the last option, when there are 6) sometimes."""
    options = w.options[:5] if len(w.options) > 5 and rng.random() < 0.95 else w.options
    return rng.choice(options)


OVERVIEW_NEW_DATA = "open /overview, first after a submission"
STAFF_ACTIONS = ("type the id", "choose the group", "answer a unit", "submit", "start over")


async def staff_forms(
    s: Session,
    rec: Recorder,
    who: str,
    *,
    pace: float,
    until,
    rng: random.Random,
    stats: dict,
    warm: int = 0,
    ready=None,
) -> None:
    """Answer the form at human pace (one widget every `pace` s, +-30%), submit, start over; until the time
    `until()` returns (time.monotonic; it may move on while the run waits for the executives).

    The first `warm` actions are done at once and not recorded (never the submit), then `await ready()`: each
    person starts the measured run at a different point of the form, so submissions come as a steady stream
    from the start instead of all at the end of the first form."""
    now = {"warm": False}

    async def think() -> bool:
        nonlocal warm, ready
        now["warm"] = warm > 0
        if warm > 0:
            warm -= 1
            return True
        if ready is not None:
            await ready()
            ready = None
        left = until() - time.monotonic()
        await asyncio.sleep(max(0.0, min(left, pace * rng.uniform(0.7, 1.3))))
        return time.monotonic() < until()

    async def act(action: str, coro):
        return await (coro if now["warm"] else timed(rec, action, coro))

    n = 0
    while await think():
        await act("type the id", s.set(pick(s, "as_id", kind="text_input"), f"{who}-{n}"))
        if not await think():
            return
        group = pick(s, "as_group", kind="selectbox", label=("Staff group", "กลุ่มบุคลากร"))
        await act("choose the group", s.set(group, rng.choice(group.options)))
        while radios := unit_radios(s):
            if not await think():
                return
            await act("answer a unit", s.set(radios[0], _level(radios[0], rng)))
        warm = 0  # the submit is always measured
        if not await think():
            return
        run = await act("submit", s.click(pick(s, "as_submit", kind="button", label=("Submit", "ส่งคำตอบ"))))
        errors = [body for fmt, body in run.alerts if fmt == ERROR]
        if errors or not s.find_all(key="as_again"):
            rec.fail("submit", "refused: " + (errors[0] if errors else "no result shown"))
            stats["refused"] = stats.get("refused", 0) + 1
            return
        stats["submitted"] = stats.get("submitted", 0) + 1
        n += 1
        if not await think():
            return
        await act("start over", s.click(s.find("as_again")))
        s.states.clear()  # the page cleared its keys: the screen holds no answer for the next person


async def open_overview(port: int, rec: Recorder, *, timeout: float, action: str = "open /overview") -> None:
    """An executive opens /overview (connect, the whole first run), then leaves."""
    t0 = time.perf_counter()
    try:
        async with Session(port, "overview", timeout=timeout) as s:
            if not any(w.key and w.key.startswith("ov_") for w in s.widgets.values()):
                raise ProtocolError("/overview drew none of its filters")
    except Exception as exc:  # noqa: BLE001 - a refused handshake, a lost socket: one failed open, not the run's end
        rec.fail(action, f"{type(exc).__name__}: {exc}")
        return
    rec.add(action, time.perf_counter() - t0)


async def hr_upload(port: int, rec: Recorder, *, timeout: float) -> str:
    """HR opens /upload, sends the demo agency's 2025 file as a new round, fills the form and imports it.
    Returns what the page said (the import's success line, or the error)."""
    # New people (ids renamed for this run), so neither "this file was imported already" nor "people already in
    # this round" stops the import, also on a database URL that earlier runs wrote to.
    content = UPLOAD_FILE.read_bytes().replace(b"DEMO-A", f"UP{int(time.time()) % 10**8:08d}-".encode())
    async with Session(port, "upload", timeout=timeout) as s:
        await timed(
            rec, "HR: send the file", s.upload(pick(s, "up_file", kind="file_uploader"), UPLOAD_FILE.name, content)
        )
        agency = pick(s, "up_agency", kind="selectbox", label=("Agency", "หน่วยงาน"))
        await s.set(agency, UPLOAD_AGENCY)
        stage = pick(s, "up_stage", kind="selectbox", label=("stage", "ระยะ"))
        await s.set(stage, stage.options[1])  # Developing, the demo agency's stage
        await s.set(pick(s, "up_round", kind="date_input"), UPLOAD_ROUND)
        for box in s.find_all(prefix="up_confirm_", kind="checkbox"):
            await s.set(box, True)
        run = await timed(rec, "HR: import the file", s.click(pick(s, "up_go", kind="button")))
        errors = [body for fmt, body in run.alerts if fmt == ERROR]
        if errors:
            rec.fail("HR: import the file", errors[0])
            return "error: " + errors[0]
        done = [body for fmt, body in run.alerts if fmt == SUCCESS]
        return done[0] if done else "no success message"


async def probe(port: int, code: str, cpu, *, timeout: float) -> dict[str, float]:
    """Server CPU seconds per action with nothing else running: one session, one action at a time.
    `cpu()` reads the servers' CPU time. Returns action -> CPU seconds (the mean over its repetitions).

    /overview is opened three times after the submit: the first open reads a new data version (the submission
    changed it: the views are computed again), the next two are warm (the same version, cached views).
    One more tab stays open, idle, all along, as on a server in use: Streamlit drops its compiled page scripts
    whenever its last session leaves, and an /overview opened on an empty server would count their compiling."""
    per: dict[str, list[float]] = defaultdict(list)
    rng = random.Random(0)

    async def measure(action: str, coro):
        before = cpu()
        out = await coro
        per[action].append(cpu() - before)
        return out

    bystander = Session(port, "assess", f"c={code}", forwarded_for="10.255.0.2", timeout=timeout)
    s = Session(port, "assess", f"c={code}", forwarded_for="10.255.0.1", timeout=timeout)
    try:
        await bystander.open()
        await measure("open /assess", s.open())
        await measure("type the id", s.set(pick(s, "as_id", kind="text_input"), "PROBE-1"))
        group = pick(s, "as_group", kind="selectbox")
        await measure("choose the group", s.set(group, group.options[2]))
        while radios := unit_radios(s):
            await measure("answer a unit", s.set(radios[0], _level(radios[0], rng)))
        await measure("submit", s.click(pick(s, "as_submit", kind="button")))
        await measure("start over", s.click(s.find("as_again")))
        await s.close()
        for action in (OVERVIEW_NEW_DATA, "open /overview", "open /overview"):  # the submit changed the data
            t = Recorder()
            await measure(action, open_overview(port, t, timeout=timeout))
            if t.failures:
                raise ProtocolError(t.failures["open /overview"][0])
    finally:
        await s.close()
        await bystander.close()
    return {k: sum(v) / len(v) for k, v in per.items()}
