"""Previews of uploaded files as PNG images, made by the worker (never in a request), bounded against bombs.

* ``render(stream, content_type)`` answers the PNG bytes of a preview, or None when the type has none.
  - PDF: the first page, drawn by PDFium (pypdfium2). Only pixels come out: no script, link or action of the
    PDF survives. Bounded: a document of more than ``CARTABLE_PREVIEW_MAX_PAGES`` pages, or a page larger
    than a poster, is not drawn; the image is at most ``CARTABLE_PREVIEW_MAX_SIDE`` pixels wide or high.
  - Images (PNG, JPEG, GIF, WebP): decoded by Pillow, refused past ``CARTABLE_PREVIEW_MAX_PIXELS`` (read
    from the header, before decoding: a decompression bomb), reduced and re-encoded as PNG (a polyglot's
    other reading, metadata and animation are dropped).
* ``extract_text(stream, content_type)``: the text a search may look in, bounded: a PDF's first
  ``TEXT_PAGES`` pages (PDFium's text layer), a text file's start; at most ``TEXT_MAX`` characters.
* ``Unpreviewable`` is raised for a file of a previewed type that cannot or must not be drawn.
"""

from __future__ import annotations

import io
import warnings
from typing import BinaryIO

from django.conf import settings

PREVIEWED = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})
TEXT_PAGES = 50
TEXT_MAX = 100_000
# A page larger than this (in PDF points, 1/72 inch) is not drawn: 2 m, an A0 poster with room to spare.
MAX_PAGE_POINTS = 5700


class Unpreviewable(Exception):
    """The file is of a previewed type but cannot be drawn within the bounds (or is damaged)."""


def render(stream: BinaryIO, content_type: str) -> bytes | None:
    """The PNG preview of a file, None when its type has no preview; ``Unpreviewable`` past the bounds."""
    if content_type == "application/pdf":
        return _pdf_first_page(stream.read())
    if content_type in PREVIEWED:
        return _image(stream)
    return None


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _pdf_first_page(data: bytes) -> bytes:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise Unpreviewable("unreadable PDF") from exc
    try:
        if len(document) == 0 or len(document) > settings.CARTABLE_PREVIEW_MAX_PAGES:
            raise Unpreviewable(f"{len(document)} pages")
        page = document[0]
        width, height = page.get_size()
        if not (0 < width <= MAX_PAGE_POINTS and 0 < height <= MAX_PAGE_POINTS):
            raise Unpreviewable(f"page of {width}×{height} points")
        scale = settings.CARTABLE_PREVIEW_MAX_SIDE / max(width, height)
        bitmap = page.render(scale=scale, may_draw_forms=False)
        return _png(bitmap.to_pil())
    except pdfium.PdfiumError as exc:
        raise Unpreviewable("PDF not drawn") from exc
    finally:
        document.close()


def _image(stream: BinaryIO) -> bytes:
    from PIL import Image, UnidentifiedImageError

    side = settings.CARTABLE_PREVIEW_MAX_SIDE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                width, height = image.size
                if width * height > settings.CARTABLE_PREVIEW_MAX_PIXELS:
                    raise Unpreviewable(f"{width}×{height} pixels")
                image.seek(0)  # the first frame of an animation
                image.draft("RGB", (side, side))  # JPEG: decode at a reduced size when it can
                frame = image.convert("RGBA")
                frame.thumbnail((side, side))
                return _png(frame)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError) as exc:
        raise Unpreviewable("image not decoded") from exc


def extract_text(stream: BinaryIO, content_type: str) -> str:
    """The searchable text of a file (a PDF's text layer, a text file's start), bounded; "" for other types."""
    if content_type.startswith("text/plain"):
        return stream.read(TEXT_MAX * 4).decode("utf-8", "ignore")[:TEXT_MAX]
    if content_type != "application/pdf":
        return ""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(stream.read())
    except pdfium.PdfiumError:
        return ""
    parts: list[str] = []
    length = 0
    try:
        for index in range(min(len(document), TEXT_PAGES)):
            text = document[index].get_textpage().get_text_range()
            parts.append(text)
            length += len(text)
            if length >= TEXT_MAX:
                break
    except pdfium.PdfiumError:
        pass
    finally:
        document.close()
    return "\n".join(parts)[:TEXT_MAX]
