"""gunicorn settings Cartable always applies (``--config python:cartable.core.gunicorn_conf``).

The server does not announce itself as gunicorn with its version: a probe learns nothing of the stack.
gunicorn has no setting for its ``Server`` header; the name it writes is a module constant, replaced here
before any worker answers (this file is read when gunicorn loads its configuration)."""

import gunicorn
import gunicorn.http.wsgi

SERVER_NAME = "Cartable"
gunicorn.SERVER = SERVER_NAME
gunicorn.http.wsgi.SERVER = SERVER_NAME
