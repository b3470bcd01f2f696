"""A real LTI 1.3 tool for the tests: pylti1p3 (the tool side many Python tools use) in a small Flask app
served on 127.0.0.1, and a person's browser that follows Cartable's and the tool's form posts."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import lxml.html
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify
from flask import request as flask_request
from jwcrypto import jwk
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.tool_config import ToolConfDict
from werkzeug.serving import make_server


@dataclass
class PyLtiTool:
    """The tool: a key pair, a JWKS, a login initiation, a launch that pylti1p3 validates. Each validated
    launch is kept (``launches``); a Deep Linking launch answers with ``offer`` as content items."""

    private_pem: str = ""
    public_pem: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    launches: list[FlaskMessageLaunch] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    offer: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.public_pem = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def configure(self, *, issuer: str, client_id: str, deployment_ids: list[str]) -> None:
        """What the tool's administrator copies from Cartable's registration page."""
        self.config = {
            issuer: [
                {
                    "default": True,
                    "client_id": client_id,
                    "auth_login_url": issuer + "/lti/auth/",
                    "auth_token_url": issuer + "/lti/token/",
                    "auth_audience": None,
                    "key_set_url": issuer + "/oidc/jwks/",
                    "key_set": None,
                    "deployment_ids": deployment_ids,
                }
            ]
        }
        self.issuer, self.client_id = issuer, client_id

    def tool_conf(self) -> ToolConfDict:
        conf = ToolConfDict(self.config)
        conf.set_private_key(self.issuer, self.private_pem, client_id=self.client_id)
        conf.set_public_key(self.issuer, self.public_pem, client_id=self.client_id)
        return conf

    def jwks(self) -> dict[str, Any]:
        key = jwk.JWK.from_pem(self.public_pem.encode())
        return {"keys": [{**json.loads(key.export_public()), "alg": "RS256", "use": "sig", "kid": key.thumbprint()}]}

    def app(self) -> Flask:
        app = Flask("pylti1p3-tool")
        app.secret_key = "tool-secret"

        @app.get("/jwks")
        def jwks():
            return jsonify(self.jwks())

        @app.route("/login", methods=["GET", "POST"])
        def login():
            target = flask_request.values.get("target_link_uri", "")
            oidc = FlaskOIDCLogin(FlaskRequest(), self.tool_conf())
            return oidc.redirect(target)

        @app.post("/launch")
        def launch():
            message = FlaskMessageLaunch(FlaskRequest(), self.tool_conf())
            try:
                data = message.get_launch_data()  # validates: state, signature, nonce, registration, deployment
            except Exception as error:  # the test reads what pylti1p3 refused
                self.errors.append(str(error))
                return jsonify({"refused": str(error)}), 400
            self.launches.append(message)
            if message.is_deep_link_launch():
                resources = [
                    DeepLinkResource()
                    .set_url(item["url"])
                    .set_title(item["title"])
                    .set_custom_params(item.get("custom", {}))
                    for item in self.offer
                ]
                return message.get_deep_link().output_response_form(resources)
            return jsonify(data)

        return app

    def __enter__(self) -> PyLtiTool:
        self.server = make_server("127.0.0.1", 0, self.app(), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def register(tool: PyLtiTool, school: Any, issuer: str, **allowed: bool) -> Any:
    """The collège's principal registers the pylti1p3 tool (deployment « college-1 »), and the tool is
    configured with what the registration page shows; ``allowed``: ``allow_ags``, ``allow_nrps``..."""
    from cartable.directory.actor import Actor
    from cartable.lti import actions

    registered = actions.register_tool(
        actor=Actor(school.people["marc.leroy"]),
        establishment=school.college.establishment,
        deployment_id="college-1",
        name="Exerciseur",
        login_url=tool.url + "/login",
        launch_url=tool.url + "/launch",
        redirect_uris=tool.url + "/launch",
        jwks_url=tool.url + "/jwks",
        **allowed,
    )
    tool.configure(issuer=issuer, client_id=registered.client_id, deployment_ids=["college-1"])
    return registered


def form_of(response: requests.Response) -> tuple[str, str, dict[str, str]]:
    """The (only, or auto-posting) form of a page: its method, absolute action and fields."""
    page = lxml.html.fromstring(response.text)
    forms = page.xpath("//form[@data-autopost]") or page.xpath("//form")
    form = forms[0]
    fields = {i.get("name"): i.get("value", "") for i in form.xpath(".//input[@name]")}
    return (form.get("method") or "get").lower(), urljoin(response.url, form.get("action") or ""), fields


def follow_form(browser: requests.Session, response: requests.Response) -> requests.Response:
    """Submit the page's form as a browser's script would (what Cartable's and the tool's pages do)."""
    method, action, fields = form_of(response)
    if method == "post":
        return browser.post(action, data=fields)
    return browser.get(action, params=fields)
