"""The load run's browser-less client (bench/load) against a real app process: it opens /overview and /assess,
sees each page's title, and answering a widget reruns the page the way a browser's answer does. Keeps the
client working as the pages change (untimed: speed is for `make bench-load`)."""

from __future__ import annotations

import asyncio

import pytest

from bench.load import servers
from bench.load.protocol import FINISHED, ProtocolError, Session
from bench.load.scenarios import pick, unit_radios

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app process on a throw-away store without the demo survey (SKILLS_DEMO=0), and an open campaign."""
    tmp = tmp_path_factory.mktemp("load")
    env = servers.app_env(str(tmp / "skills.duckdb"), SKILLS_DEMO="0")
    code = servers.open_campaign(env)
    with servers.Servers(1, env, tmp) as sv:
        yield sv.ports[0], code


def test_overview_opens_with_its_title(app):
    port, _ = app

    async def go():
        async with Session(port, "overview", timeout=60) as s:
            return s.runs[0], s.pages

    run, pages = asyncio.run(go())
    assert "ภาพรวมสำหรับผู้บริหาร" in run.texts  # the page's title, Thai by default
    assert {"overview", "assess", "upload"} <= set(pages)  # the app's pages, from the navigation message


def test_answering_the_form_reruns_it(app):
    port, code = app

    async def go():
        async with Session(port, "assess", f"c={code}", forwarded_for="10.9.9.9", timeout=60) as s:
            assert "แบบประเมินตนเองด้านทักษะดิจิทัล" in s.texts
            assert not unit_radios(s)  # no staff group yet: no unit to rate
            await s.set(pick(s, "as_id", kind="text_input"), "T-1")
            group = pick(s, "as_group", kind="selectbox")
            await s.set(group, group.options[2])
            radios = unit_radios(s)
            assert radios  # the rerun drew the units of that group's role profile
            before = [t for t in s.texts if "units your role" in t or "ตอบแล้ว" in t]
            run = await s.set(radios[0], radios[0].options[3])
            after = [t for t in run.texts if "ตอบแล้ว" in t]
            return before, after, len(radios), len(unit_radios(s)), radios[0].fragment_id, run

    before, after, n_before, n_after, fragment, run = asyncio.run(go())
    # An answer is sent with the answers part's fragment id, as the browser does: the server reruns that part
    # alone (not the page: no title, no id box in what comes back).
    assert fragment and run.status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    assert "แบบประเมินตนเองด้านทักษะดิจิทัล" not in run.texts
    assert before and before[0].startswith("ตอบแล้ว 0 จาก")
    assert after and after[0].startswith("ตอบแล้ว 1 จาก")  # the progress bar counted the answer
    assert n_after == n_before - 1


def test_a_wrong_page_is_an_error_not_a_hang(app):
    port, _ = app

    async def go():
        async with Session(port, "no-such-page", timeout=60):
            pass

    with pytest.raises(ProtocolError, match="page not found"):
        asyncio.run(go())
