"""A real S3-compatible server for the tests: moto's server (PyPI ``moto[server]``), over HTTP on 127.0.0.1,
started once per test process, and the settings that point django-storages' S3 backend at one bucket of it.

moto checks neither presigned signatures nor their expiry: what those guard is proven on Cartable's own
access checks, not here.
"""

from __future__ import annotations

import socket
import uuid
from typing import Any

_started: dict[str, Any] = {}


def endpoint() -> str:
    """``http://127.0.0.1:port`` of the moto server, started on first use."""
    if "endpoint" not in _started:
        from moto.server import ThreadedMotoServer

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        _started["server"] = server
        _started["endpoint"] = f"http://127.0.0.1:{port}"
    return _started["endpoint"]


def client():
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint(),
        region_name="us-east-1",
        aws_access_key_id="cartable",
        aws_secret_access_key="cartable-secret",
    )


def new_bucket() -> str:
    """A fresh, empty bucket (one per test class keeps them apart)."""
    name = f"cartable-{uuid.uuid4().hex[:12]}"
    client().create_bucket(Bucket=name)
    return name


def storages_for(bucket: str) -> dict:
    """``STORAGES`` with the default storage on ``bucket``, as settings.py builds it from CARTABLE_S3_*."""
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint(),
                "region_name": "us-east-1",
                "access_key": "cartable",
                "secret_key": "cartable-secret",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": 60,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def keys(bucket: str) -> list[str]:
    """The keys of a bucket, through the S3 API (paginated)."""
    names: list[str] = []
    for page in client().get_paginator("list_objects_v2").paginate(Bucket=bucket):
        names.extend(item["Key"] for item in page.get("Contents", []))
    return sorted(names)
