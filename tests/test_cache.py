"""The Redis cache is optional and its loss logs nobody out (sessions stay in the database)."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import os, socket, subprocess, sys, time

    port = int(sys.argv[1])
    # Redis keeps the real clock when the suite runs under faketime (libfaketime breaks its start).
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    try:
        import django
        django.setup()
        from django.conf import settings
        from django.core.cache import cache
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment
        setup_test_environment()
        call_command("migrate", verbosity=0)
        from cartable.demo.personas import build_personas
        build_personas()
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db", settings.SESSION_ENGINE
        client = Client()
        response = client.post("/comptes/connexion/", {"username": "lucas.martin", "password": "demo"})
        assert response.status_code == 302, response.status_code
        assert client.get("/").status_code == 200
        assert any(k.startswith(b"cartable") for k in cache._cache.get_client().keys("*")), "nothing cached"
    finally:
        redis.terminate()
        redis.wait(5)
    response = client.get("/")  # Redis is gone
    assert response.status_code == 200, response.status_code
    assert b"Lucas" in response.content
    from django.core.cache import caches
    print("OK", type(caches["default"]).__name__)
    """
)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_losing_redis_logs_nobody_out(tmp_path):
    """With REDIS_URL set, sessions are cached in Redis; when Redis disappears, people stay signed in."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="cartable.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CARTABLE_VAR=str(tmp_path),
        CARTABLE_TESTING="1",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(port)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OK ResilientRedisCache" in result.stdout
