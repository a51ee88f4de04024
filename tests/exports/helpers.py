"""Reading an export back as the text its owner gets: JSON as written, a PDF through pdftotext, a ZIP's files."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def readable(content: bytes, export_format: str) -> str:
    if export_format == "pdf":
        pdftotext = shutil.which("pdftotext")
        if not pdftotext:
            pytest.skip("pdftotext (poppler-utils) is needed to read PDFs")
        return subprocess.run([pdftotext, "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    if export_format == "zip":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    return content.decode()
