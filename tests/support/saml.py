"""A real SAML identity provider for the EduConnect tests: pysaml2's own IdP (``saml2.server.Server``),
driven in-process with its real signatures, and keys and certificates made at test time.

``SamlWorld.make()`` writes the IdP's and Cartable's key pairs to a temporary folder and returns the
settings that configure Cartable as the SP of that IdP, and the IdP itself. ``idp.answer(location, ...)``
reads the AuthnRequest Cartable's redirect carries (its signature checked by pysaml2) and returns the
signed ``SAMLResponse`` the browser would post back.
"""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_TRANSIENT
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

XMLSEC = shutil.which("xmlsec1") or ""
SKIP_REASON = "xmlsec1 is not installed (Debian package xmlsec1; .ci/run installs it)"
IDP_ENTITY = "https://educonnect.test/idp"
IDP_SSO = "https://educonnect.test/idp/sso"
IDP_SLO = "https://educonnect.test/idp/slo"
SP_ENTITY = "https://cartable.test/educonnect/metadata/"
SP_BASE = "https://cartable.test"


def key_pair(folder: Path, name: str, common_name: str) -> tuple[str, str]:
    """A 2048-bit RSA key and its self-signed certificate, written as PEM files: (key path, cert path)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


def _idp_config(key: str, cert: str, sp_metadata: str | None, lifetime_minutes: int = 5) -> IdPConfig:
    conf = IdPConfig()
    conf.load(
        {
            "entityid": IDP_ENTITY,
            "xmlsec_binary": XMLSEC,
            "key_file": key,
            "cert_file": cert,
            "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "service": {
                "idp": {
                    "name": "EduConnect (test)",
                    "endpoints": {
                        "single_sign_on_service": [(IDP_SSO, BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(IDP_SLO, BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                    "want_authn_requests_signed": True,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_BASIC,
                        }
                    },
                }
            },
        }
    )
    return conf


def query_of(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


class IdentityProvider:
    """pysaml2's IdP, answering Cartable's requests as EduConnect would."""

    def __init__(self, server: Server, key: str, cert: str, sp_metadata: str) -> None:
        self.server = server
        self.key, self.cert, self.sp_metadata = key, cert, sp_metadata

    def read_request(self, location: str):
        """The AuthnRequest of Cartable's redirect, its query-string signature checked."""
        query = query_of(location)
        return self.server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )

    def answer(
        self,
        location: str,
        attributes: dict[str, list[str]],
        *,
        lifetime_minutes: int = 5,
        user_id: str = "educonnect-user",
    ) -> str:
        """The signed response (base64, as posted) to the AuthnRequest in ``location``."""
        request = self.read_request(location)
        args = self.server.response_args(request.message)
        server = self.server
        if lifetime_minutes != 5:  # an IdP whose assertions are already expired when they arrive
            server = Server(config=_idp_config(self.key, self.cert, self.sp_metadata, lifetime_minutes))
        xml = server.create_authn_response(
            identity=attributes,
            userid=user_id,
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_assertion=True,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            **args,
        )
        return base64.b64encode(str(xml).encode()).decode()

    def logout_answer(self, location: str) -> str:
        """The IdP's LogoutResponse (HTTP-Redirect, signed) to Cartable's LogoutRequest in ``location``."""
        query = query_of(location)
        request = self.server.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        self.last_logout = request
        response = self.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            f"{SP_BASE}/educonnect/sls/",
            "",
            response=True,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return dict(info["headers"])["Location"]

    def logout_request(self, name_id) -> str:
        """An IdP-initiated LogoutRequest for ``name_id`` (HTTP-Redirect, signed): the address."""
        _, request = self.server.create_logout_request(
            f"{SP_BASE}/educonnect/sls/", IDP_ENTITY, name_id=name_id, sign=False
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), f"{SP_BASE}/educonnect/sls/", "", sign=True, sigalg=SIG_RSA_SHA256
        )
        return dict(info["headers"])["Location"]


@dataclass
class SamlWorld:
    folder: Path
    settings: dict
    idp: IdentityProvider

    @classmethod
    def make(cls) -> SamlWorld:
        folder = Path(tempfile.mkdtemp(prefix="cartable-saml-"))
        idp_key, idp_cert = key_pair(folder, "idp", "educonnect.test")
        sp_key, sp_cert = key_pair(folder, "sp", "cartable.test")
        idp_metadata = create_metadata_string(None, config=_idp_config(idp_key, idp_cert, None), valid=None).decode()
        settings = {
            "entity_id": SP_ENTITY,
            "base_url": SP_BASE,
            "key_file": sp_key,
            "cert_file": sp_cert,
            "idp_metadata_file": "",
            "idp_metadata": idp_metadata,
            "xmlsec_binary": XMLSEC,
        }
        sp_metadata = cls._sp_metadata(settings)
        server = Server(config=_idp_config(idp_key, idp_cert, sp_metadata))
        return cls(folder=folder, settings=settings, idp=IdentityProvider(server, idp_key, idp_cert, sp_metadata))

    @staticmethod
    def _sp_metadata(settings: dict) -> str:
        from django.test import override_settings

        from cartable.sso import saml

        with override_settings(CARTABLE_SAML=settings):
            return saml.metadata_xml()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
