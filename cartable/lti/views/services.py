"""LTI Advantage services, called by the tools' servers: the token endpoint (client credentials with a
signed JWT assertion), Assignment and Grade Services (line items, scores) and Names and Role Provisioning
Services (the roster). Public URLs (the protocol's), no CSRF; each answers only a token of the link's tool
holding the right scope. Errors are JSON, with the protocol's codes."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cartable.lti import actions, protocol, queries
from cartable.lti.models import ServiceToken
from cartable.lti.protocol import Refused

STATUS = {"invalid_client": 401, "conflict": 409, "not_found": 404, "forbidden": 403}


def _error(error: str, description: str, status: int | None = None) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status or STATUS.get(error, 400))
    response["Cache-Control"] = "no-store"
    return response


def _token(request: HttpRequest, scope: str) -> ServiceToken | None:
    return queries.bearer(request.headers.get("Authorization", ""), scope)


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise Refused("the body must be JSON") from error
    if not isinstance(body, dict):
        raise Refused("the body must be a JSON object")
    return body


@login_not_required
@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """The tools' token endpoint (RFC 6749 §4.4 with RFC 7523 client authentication)."""
    try:
        answer = actions.issue_service_token(params=request.POST.dict())
    except Refused as refused:
        return _error(refused.error, str(refused))
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def line_items(request: HttpRequest, pk: int) -> JsonResponse:
    """A link's line items: listed (GET), or one created (POST), which becomes an evaluation."""
    scope = protocol.SCOPE_LINEITEM if request.method == "POST" else protocol.SCOPE_LINEITEM_READ
    found = _token(request, scope) or (_token(request, protocol.SCOPE_LINEITEM) if request.method == "GET" else None)
    link = queries.service_link(found, pk) if found else None
    if found is None:
        return _error("invalid_token", "a bearer token with the line item scope is required", 401)
    if link is None:
        return _error("not_found", "no such link for this tool")
    if request.method == "GET":
        return JsonResponse([queries.line_item_json(item) for item in queries.line_items(link)], safe=False)
    try:
        item = actions.create_line_item(link=link, payload=_body(request))
    except Refused as refused:
        return _error(refused.error, str(refused))
    return JsonResponse(queries.line_item_json(item), status=201)


@login_not_required
@csrf_exempt
@require_GET
def line_item(request: HttpRequest, pk: int) -> JsonResponse:
    """One line item."""
    found = _token(request, protocol.SCOPE_LINEITEM_READ) or _token(request, protocol.SCOPE_LINEITEM)
    item = queries.service_line_item(found, pk) if found else None
    if found is None:
        return _error("invalid_token", "a bearer token with the line item scope is required", 401)
    if item is None:
        return _error("not_found", "no such line item for this tool")
    return JsonResponse(queries.line_item_json(item))


@login_not_required
@csrf_exempt
@require_POST
def scores(request: HttpRequest, pk: int) -> JsonResponse:
    """A score for a student of the line item's context; an older ``timestamp`` never wins."""
    found = _token(request, protocol.SCOPE_SCORE)
    item = queries.service_line_item(found, pk) if found else None
    if found is None:
        return _error("invalid_token", "a bearer token with the score scope is required", 401)
    if item is None:
        return _error("not_found", "no such line item for this tool")
    try:
        payload = _body(request)
        student = queries.student_by_sub(item.link, str(payload.get("userId", "")))
        if student is None:
            raise Refused("userId is not a student of this context", "forbidden")
        actions.post_score(line_item=item, student=student, payload=payload)
    except Refused as refused:
        return _error(refused.error, str(refused))
    return JsonResponse({}, status=200)


@login_not_required
@csrf_exempt
@require_GET
def memberships(request: HttpRequest, pk: int) -> JsonResponse:
    """The context's roster (NRPS 2.0), names only if the tool gets them."""
    found = _token(request, protocol.SCOPE_NRPS)
    link = queries.service_link(found, pk) if found else None
    if found is None:
        return _error("invalid_token", "a bearer token with the membership scope is required", 401)
    if link is None:
        return _error("not_found", "no such link for this tool")
    response = JsonResponse(queries.roster(link))
    response["Content-Type"] = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    return response
