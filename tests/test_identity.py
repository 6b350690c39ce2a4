"""Issue 19 point 2: sign-in through an identity provider. Claims (and the roles file) -> Principal -> scope,
for every role; the scope enforced in the domain: a view, an export, the analyst SQL and the IDP asked for
agency B by HR of agency A are refused or empty."""

from __future__ import annotations

import pytest

from framework import access, analysis, analyst, db, identity
from framework import respondents as rsp
from framework.analysis import Filters
from framework.outputs import export

A = "กรมตัวอย่างดิจิทัล (DEMO ข้อมูลสาธิต)"
B = "สำนักงานตัวอย่างบริการ (DEMO ข้อมูลสาธิต)"


@pytest.fixture(autouse=True)
def _no_provider_after():
    yield
    identity.use_provider(False)


def hr(agency: str, who: str = "hr@a.go.th") -> identity.Principal:
    return identity.principal({"sub": who, "email": who, "skills_role": "hr", "skills_agencies": [agency]})


# --- claims -> principal ------------------------------------------------------------------------------------
def test_every_role_from_claims():
    p = hr(A)
    assert (p.role, p.agencies, p.row_level, p.respondent_id, p.name) == ("hr", (A,), (A,), "hr@a.go.th", "hr@a.go.th")
    ex = identity.principal({"sub": "x", "email": "e@a", "skills_role": "agency_executive", "skills_agencies": A})
    assert (ex.role, ex.agencies, ex.row_level) == ("executive", (A,), ())
    an = identity.principal({"sub": "y", "skills_role": "analyst"})
    assert (an.role, an.every_agency, an.row_level) == ("analyst", True, ())  # every agency; no rows unless granted
    ad = identity.principal({"sub": "z", "skills_role": "national_admin", "skills_row_level": [B]})
    assert (ad.role, ad.every_agency, ad.row_level) == ("admin", True, (B,))
    st = identity.principal({"sub": "s-1", "email": "Somchai@A.go.th"})  # no role: staff by default
    assert (st.role, st.respondent_id, st.agencies) == ("staff", "Somchai@A.go.th", ())


def test_mapping_file_people_groups_claims_and_default(tmp_path, monkeypatch):
    path = tmp_path / "roles.toml"
    path.write_text(
        'default_role = ""\n'
        '[claims]\nrespondent_id = "employee_number"\ngroups = "roles"\n'
        f'[people."boss@b.go.th"]\nrole = "executive"\nagencies = ["{B}"]\n'
        f'[groups."hr-a"]\nrole = "hr"\nagencies = ["{A}"]\n'
        '[groups."staff"]\nrole = "staff"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(identity.ROLES_ENV, str(path))
    mapping = identity.load_mapping()
    assert identity.principal({"sub": "1", "email": "BOSS@b.go.th"}, mapping).agencies == (B,)
    p = identity.principal({"sub": "2", "email": "h@a", "roles": ["x", "hr-a"], "skills_role": "admin"}, mapping)
    assert (p.role, p.agencies) == ("hr", (A,))  # the file wins over the provider's role claim
    s = identity.principal({"sub": "3", "email": "s@a", "roles": "staff", "employee_number": "๐๐๗"}, mapping)
    assert (s.role, s.respondent_id) == ("staff", "007")  # the configured claim, made canonical (Thai digits)
    with pytest.raises(identity.IdentityError) as no_role:
        identity.principal({"sub": "4", "email": "nobody@x"}, mapping)  # default_role = "": refused
    assert "nobody@x" in no_role.value.en and no_role.value.th
    with pytest.raises(identity.IdentityError):
        identity.principal({"sub": "5", "skills_role": "superuser"})
    monkeypatch.setenv(identity.ROLES_ENV, str(tmp_path / "missing.toml"))
    with pytest.raises(identity.IdentityError):
        identity.load_mapping()


def test_scope_of_every_role():
    a, ex = hr(A), identity.Principal("executive", (A,))
    an = identity.Principal("analyst", "*", row_level=(B,))
    st, guest = identity.Principal("staff"), identity.Principal(identity.GUEST)
    assert identity.analysis_scope(None) is None and identity.row_scope(None) is None  # no provider: as today
    assert identity.analysis_scope(a) == (A,) and identity.row_scope(a) == (A,)
    assert identity.analysis_scope(ex) == (A,) and identity.row_scope(ex) == ()
    assert identity.analysis_scope(an) is None and identity.row_scope(an) == (B,)
    assert identity.analysis_scope(st) == () and identity.analysis_scope(guest) == ()
    assert identity.exact(a, ()) and identity.exact(a, [A]) and not identity.exact(ex, [A])
    assert identity.exact(an, [B]) and not identity.exact(an, [A]) and not identity.exact(an, ())
    assert a.can("upload", A) and not a.can("upload", B) and not a.can("figures", B)
    assert not ex.can("rows", A) and not ex.can("upload", A) and ex.can("figures", A)
    assert st.can("assess") and not st.can("figures") and not guest.can("assess")
    assert not a.can("audit", B) and a.can("audit", A) and not an.can("audit")
    with pytest.raises(identity.ScopeError) as refused:
        identity.check(a, "upload", B)
    assert B in refused.value.en and B in refused.value.th
    identity.check(None, "upload", B)  # no provider: today's rules (the passphrase) apply


def test_a_provider_ends_local_mode(monkeypatch):
    monkeypatch.delenv(access.ENV, raising=False)
    assert access.local_mode(None)
    identity.use_provider(True)
    assert not access.local_mode(None)
    assert not access.attempt(None, None, session="s", page="p").ok


# --- the scope enforced in the domain ----------------------------------------------------------------------
def test_filters_refuse_an_agency_outside_the_scope():
    f = Filters(scope=(A,))
    assert f.agencies == (A,) and "scope" not in f.as_dict()
    with pytest.raises(analysis.AnalysisError) as refused:
        Filters(agencies=(B,), scope=(A,))
    assert B in refused.value.en and refused.value.th
    with pytest.raises(analysis.AnalysisError):
        f.with_(agencies=(A, B))
    assert Filters(scope=()).agencies == (identity.OUT_OF_SCOPE,)  # an empty scope reads nothing


def test_views_exports_sql_and_idp_of_hr_a_never_hold_agency_b(demo_store, catalog):
    con = db.connect(demo_store)
    try:
        a = hr(A)
        f = Filters(scope=identity.analysis_scope(a), authorised=identity.exact(a, ()))
        cov = analysis.coverage(con, f, stage="Developing", by="agency")
        assert set(cov["key"]) - {analysis.TOTAL_KEY} == {A}
        rows = analysis.survey_counts(con, f)["respondents"]
        assert 0 < rows < analysis.survey_counts(con, Filters(authorised=True))["respondents"]
        assert A in export.to_csv(cov).decode("utf-8-sig") and B not in export.to_csv(cov).decode("utf-8-sig")
        assert B not in str(analysis.filter_options(con, (A,))["agencies"])
        assert analysis.survey_counts(con, Filters(scope=()))["respondents"] == 0  # staff / guest: nothing

        ws = analyst.build(con, min_cell=5, threshold=3, authorised=True, scope=(A,))
        try:
            assert not ws.allowed  # no file may be read: the whole store's responses snapshot is not offered
            agencies = analyst.run(ws, "SELECT DISTINCT coalesce(agency, '?') AS a FROM responses").frame["a"]
            assert set(agencies) == {A}
            assert analyst.run(ws, f"SELECT count(*) AS n FROM responses WHERE agency = '{B}'").frame["n"][0] == 0
            keys = analyst.run(ws, "SELECT DISTINCT key FROM coverage WHERE \"by\" = 'agency'").frame["key"]
            assert B not in set(keys)
            assert set(analyst.run(ws, "SELECT DISTINCT agency FROM batches").frame["agency"]) == {A}
        finally:
            ws.close()

        mine = identity.row_scope(a)
        assert set(rsp.batches(con, mine)["agency"]) == {A}
        assert set(rsp.find(con, None, "", mine)["batch_agency"]) == {A}
        theirs = rsp.find(con, None, "")
        b_row = theirs[theirs["batch_agency"] == B].iloc[0]
        assert rsp.plan(con, catalog, b_row.batch_id, b_row.respondent_id, "Early").agency == B  # no scope: HR
        with pytest.raises(rsp.RespondentError) as refused:
            rsp.plan(con, catalog, b_row.batch_id, b_row.respondent_id, "Early", scope=mine)
        assert "outside" in refused.value.en and refused.value.th
    finally:
        con.close()


def test_an_upload_with_rows_of_another_agency_is_refused_whole(store_con, catalog, tmp_path):
    from framework import survey
    from framework.store import SurveyStore

    store = SurveyStore(store_con, catalog)
    csv = tmp_path / "mixed.csv"
    csv.write_text(f"respondent_id,group,agency,DLit100\nx1,Service,,3\nx2,Service,{B},2\n", encoding="utf-8")
    with pytest.raises(survey.SurveyFileError) as refused:
        store.ingest(csv, agency=A, stage="Early", round_date="2025-06-30", scope=(A,))
    assert B in refused.value.en and "Nothing was stored" in refused.value.en and refused.value.th
    assert store.batches().empty
    mine = tmp_path / "mine.csv"
    mine.write_text("respondent_id,group,DLit100\nx1,Service,3\n", encoding="utf-8")
    assert store.ingest(mine, agency=A, stage="Early", round_date="2025-06-30", scope=(A,)).accepted == 1
    with pytest.raises(survey.SurveyFileError):  # the same file again, by HR of B: not named to them
        store.ingest(mine, agency=B, stage="Early", round_date="2025-06-30", scope=(B,))
