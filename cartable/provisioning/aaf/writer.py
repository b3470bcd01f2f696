"""Writing AAF files (``ficAlimMENESR``): the demo's example delta and the benchmark's generated sets."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

Attrs = dict[str, str | list[str]]


def request(category: str, ident: str, attrs: Attrs | None = None, *, op: str = "add") -> str:
    """One ``addRequest`` (attributes), ``modifyRequest`` (replaced attributes) or ``deleteRequest``."""
    kind = "categorieStructure" if category == "EtabEducNat" else "categoriePersonne"
    head = (
        f"<{op}Request><operationalAttributes><attr name={quoteattr(kind)}><value>{category}</value></attr>"
        f"</operationalAttributes><identifier><id>{escape(ident)}</id></identifier>"
    )
    body = []
    for name, values in (attrs or {}).items():
        listed = [values] if isinstance(values, str) else values
        inner = "".join(f"<value>{escape(v)}</value>" for v in listed) or "<value/>"
        if op == "modify":
            body.append(f'<modification name={quoteattr(name)} operation="replace">{inner}</modification>')
        else:
            body.append(f"<attr name={quoteattr(name)}>{inner}</attr>")
    if op == "modify":
        return f"{head}<modifications>{''.join(body)}</modifications></modifyRequest>"
    if op == "delete":
        return f"{head}</deleteRequest>"
    return f"{head}<attributes>{''.join(body)}</attributes></addRequest>"


HEADER = '<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n'


def document(requests: list[str], *, encoding: str = "UTF-8") -> bytes:
    """A whole file, one request per line."""
    text = HEADER.format(encoding=encoding) + "<ficAlimMENESR>\n" + "\n".join(requests) + "\n</ficAlimMENESR>\n"
    return text.encode(encoding)
