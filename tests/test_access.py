"""HR passphrase: env wins over the Streamlit secret, constant-time compare, local mode without one."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

from framework import access


def test_local_mode_allows_everything(monkeypatch):
    monkeypatch.delenv(access.ENV, raising=False)
    assert access.local_mode(None) and access.verify(None) and access.verify("anything")


def test_secret_passphrase(monkeypatch):
    monkeypatch.delenv(access.ENV, raising=False)
    assert not access.local_mode("s3cret ไทย")
    assert access.verify("s3cret ไทย", "s3cret ไทย")
    assert not access.verify("s3cret", "s3cret ไทย") and not access.verify("", "s3cret ไทย")
    assert not access.verify(None, "s3cret ไทย")


def test_env_overrides_secret(monkeypatch):
    monkeypatch.setenv(access.ENV, "from-env")
    assert access.configured("from-secret") == "from-env"
    assert access.verify("from-env", "from-secret") and not access.verify("from-secret", "from-secret")


def test_near_misses_are_refused(monkeypatch):
    """Prefixes, extensions, case, spaces, NULs and look-alike Unicode are all different passphrases."""
    monkeypatch.delenv(access.ENV, raising=False)
    secret = "Pass ลับ 1"
    for given in (
        "Pass ลับ",
        "Pass ลับ 1 ",
        " Pass ลับ 1",
        "pass ลับ 1",
        "Pass ลับ 1\x00",
        "Pass\u00a0ลับ 1",
        "Pass ลับ １",
        "Pass ลับ 12",
        "P",
    ):
        assert not access.verify(given, secret), repr(given)
    assert access.verify("Pass ลับ 1", secret)


def test_intake_modules_import_without_streamlit():
    code = (
        "import sys; import framework.access, framework.survey, framework.store, framework.demo, "
        "framework.cli.survey; print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_numeric_secret_from_toml_is_compared_as_text(monkeypatch):
    monkeypatch.delenv(access.ENV, raising=False)
    assert not access.local_mode(1234)
    assert access.verify("1234", 1234) and not access.verify("123", 1234)


def test_cli_reads_the_passphrase_from_the_app_secrets_file(tmp_path, monkeypatch):
    from framework import access, paths

    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert access.secrets_file_passphrase() is None
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("hr_passphrase = 1234\n", encoding="utf-8")
    assert access.secrets_file_passphrase() == "1234"
