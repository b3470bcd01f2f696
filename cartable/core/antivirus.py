"""Scan uploads with ClamAV's daemon (clamd), for ``CARTABLE_UPLOAD_SCANNER``.

``scan`` is the hook: ``CARTABLE_UPLOAD_SCANNER=cartable.core.antivirus.scan``. It streams the file to clamd
with the INSTREAM command (clamd never reads our files: it may run on another host), through
``clamav-client`` (a maintained fork of the ``clamd`` package). Its answer:

* ``OK``: the upload goes on;
* a signature ``FOUND``: ``uploads.Infected`` (the upload is refused, nothing is stored);
* ``Heuristics.Limits.Exceeded.*`` (clamd stopped before the end: too large, too deep, too many files) and
  ``INSTREAM size limit exceeded``: ``uploads.ScannerRefused``, because a file clamd did not read whole is not
  known to be clean (clamd 1.4.6 answers OK for what it skipped unless ``AlertExceedsMax``);
* clamd unreachable, slow past ``CARTABLE_CLAMD_TIMEOUT``, or an answer we do not know:
  ``uploads.ScannerUnavailable``. It fails closed: an upload that could not be scanned is refused.

``CARTABLE_CLAMD_ADDRESS`` is ``unix:///run/clamav/clamd.ctl`` (Debian's socket) or ``tcp://host:3310``.
clamd's own limits must stand above the upload limit (docs/deployment.md gives the ``clamd.conf`` lines).
Outside the demo, ``check --deploy`` fails (``cartable.E001``) when no scanner is set.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from clamav_client import clamd
from django.conf import settings
from django.core import checks

from cartable.core import uploads

LIMITS_EXCEEDED = "Heuristics.Limits.Exceeded"


def client() -> clamd.ClamdNetworkSocket:
    """A clamd client for ``CARTABLE_CLAMD_ADDRESS``, with its timeout."""
    address = settings.CARTABLE_CLAMD_ADDRESS
    timeout = float(settings.CARTABLE_CLAMD_TIMEOUT)
    parts = urlsplit(address)
    if parts.scheme == "tcp":
        return clamd.ClamdNetworkSocket(host=parts.hostname or "127.0.0.1", port=parts.port or 3310, timeout=timeout)
    if parts.scheme == "unix":
        return clamd.ClamdUnixSocket(path=parts.path, timeout=int(timeout))
    raise ValueError(f"CARTABLE_CLAMD_ADDRESS must start with tcp:// or unix://, not {address!r}")


def verdict(stream: BinaryIO) -> str | None:
    """The signature clamd finds in ``stream`` (read from where it stands), or None when it is clean.

    Raises ``uploads.ScannerUnavailable`` when clamd cannot answer, ``uploads.ScannerRefused`` when it did not
    read the whole file.
    """
    try:
        results = client().instream(stream)
    except clamd.BufferTooLongError as exc:
        raise uploads.ScannerRefused("INSTREAM size limit exceeded") from exc
    except (clamd.ClamdError, OSError) as exc:  # OSError: clamd closed the socket while we were sending
        raise uploads.ScannerUnavailable(str(exc)) from exc
    status, signature = results.get("stream", ("", None))
    if status == "OK":
        return None
    if status == "FOUND" and signature:
        if signature.startswith(LIMITS_EXCEEDED):
            raise uploads.ScannerRefused(signature)
        return signature
    raise uploads.ScannerUnavailable(f"clamd answered {results!r}")


def scan(source: str | bytes | BinaryIO) -> None:
    """The upload scanner: raise ``uploads.Infected`` with the signature clamd found in ``source`` (a path,
    the bytes, or a binary file positioned at its start)."""
    if isinstance(source, bytes):
        signature = verdict(io.BytesIO(source))
    elif isinstance(source, str):
        with Path(source).open("rb") as handle:
            signature = verdict(handle)
    else:
        signature = verdict(source)
    if signature:
        raise uploads.Infected(signature)


@checks.register(checks.Tags.security, deploy=True)
def check_antivirus(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``check --deploy``: outside the demo, uploads must go through an antivirus."""
    if settings.DEMO or settings.CARTABLE_UPLOAD_SCANNER:
        return []
    return [
        checks.Error(
            "CARTABLE_UPLOAD_SCANNER is not set: uploads would be stored unscanned.",
            hint="Install clamav-daemon and set CARTABLE_UPLOAD_SCANNER=cartable.core.antivirus.scan "
            "(see docs/deployment.md, « Antivirus »).",
            id="cartable.E001",
        )
    ]
