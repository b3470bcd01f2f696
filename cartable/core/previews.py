"""Previews of uploaded files as PNG images, made by the worker (never in a request), bounded against bombs.

* ``render(stream, content_type)`` answers the PNG bytes of a preview, or None when the type has none.
  - PDF: the first page, drawn by PDFium (pypdfium2). Only pixels come out: no script, link or action of the
    PDF survives. Bounded: a document of more than ``CARTABLE_PREVIEW_MAX_PAGES`` pages, or a page larger
    than a poster, is not drawn; the image is at most ``CARTABLE_PREVIEW_MAX_SIDE`` pixels wide or high.
  - Images (PNG, JPEG, GIF, WebP): decoded by Pillow, refused past ``CARTABLE_PREVIEW_MAX_PIXELS`` (read
    from the header, before decoding: a decompression bomb), reduced and re-encoded as PNG (a polyglot's
    other reading, metadata and animation are dropped).
* ``Unpreviewable`` is raised for a file of a previewed type that cannot or must not be drawn.
"""

from __future__ import annotations

import io
import warnings
from typing import BinaryIO

from django.conf import settings

PREVIEWED = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})
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
