"""gunicorn settings Cartable always applies (``--config python:cartable.core.gunicorn_conf``).

The server does not announce itself as gunicorn with its version: a probe learns nothing of the stack.
gunicorn has no setting for its ``Server`` header; the name it writes is a module constant, replaced here
before any worker answers (this file is read when gunicorn loads its configuration).

A request gunicorn refuses before Django sees it (a request line over ``limit_request_line``, malformed
headers) is answered with a short French page in the site's colours instead of gunicorn's raw English
« URI Too Long »; the limit itself is gunicorn's maximum, so that a long search (5,000 characters) reaches
Django, whose views cut it with a message (``core.http.search_query``)."""

import html

import gunicorn
import gunicorn.http.wsgi
import gunicorn.util

SERVER_NAME = "Cartable"
gunicorn.SERVER = SERVER_NAME
gunicorn.http.wsgi.SERVER = SERVER_NAME

limit_request_line = 8190  # gunicorn's maximum (its default is 4094)

# What the visitor reads, by status; anything else gets the generic message.
MESSAGES = {
    414: ("Adresse trop longue", "Address too long", "L'adresse demandée est trop longue pour être traitée."),
    431: ("En-têtes trop longs", "Headers too large", "La requête envoie des en-têtes trop longs."),
}
GENERIC = ("Requête invalide", "Bad request", "Le serveur n'a pas compris cette requête.")

PAGE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Cartable</title>
<style>body{{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.5}}
header{{background:#1d3f72;color:#fff;padding:.8rem 1rem;font-weight:700}}main{{padding:1rem;max-width:40rem}}
a{{color:#1d3f72}}</style></head>
<body><header>Cartable</header><main><h1>{title}</h1><p>{message}</p>
<p>Raccourcissez votre recherche ou revenez à la page précédente.</p>
<p><a href="/">Retour au tableau de bord</a></p>
<p lang="en">{english}.</p></main></body></html>
"""


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's ``util.write_error``, answering in French (same status, no detail of the parser's error)."""
    title, english, message = MESSAGES.get(status_int, GENERIC)
    body = PAGE.format(title=html.escape(title), message=html.escape(message), english=html.escape(english))
    payload = body.encode("utf-8")
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Language: fr\r\nX-Content-Type-Options: nosniff\r\nServer: {SERVER_NAME}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + payload)


gunicorn.util.write_error = write_error
