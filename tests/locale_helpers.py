"""The German catalogue as tests read it: compiled from the repository's .po into a folder of the test's
own (the .mo is not committed, and parallel workers must not write the same file)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "de" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def german(settings, tmp_path):
    """German is active, read from the catalogue as it stands in the repository."""
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt (Debian package gettext) is needed to compile the German catalogue.", pytrace=False)
    target = tmp_path / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(["msgfmt", "--check", "-o", str(target / "django.mo"), str(CATALOGUE)], check=True)  # noqa: S603, S607
    settings.LOCALE_PATHS = [tmp_path]
    with translation.override("de"):
        yield
