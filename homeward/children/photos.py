"""The Philomena photo: checked without decoding it, then kept only as a re-encoded copy
(issue 14, item 7).

A PNG of a few kilobytes can declare 12000x12000 pixels (576 MB once decoded): every PDF
that embeds it then takes more than a minute and grows the server by a gigabyte. So the
photo's declared size is read from its header first (Pillow's `Image.open` decodes nothing),
and one larger than `MAX_SIDE` on a side or `MAX_PIXELS` in all is refused with a field
error, as is anything Pillow itself calls a decompression bomb. An accepted photo is decoded
once, turned upright, shrunk to at most `STORED_SIDE` on its longer side and stored as a
JPEG with no metadata (no EXIF: no camera, no GPS position of the placement).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile

from homeward.common.errors import FieldError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4000
MAX_PIXELS = 16_000_000
STORED_SIDE = 1200
ACCEPTED_FORMATS = ("JPEG", "PNG")
NOT_AN_IMAGE = "The photo must be a JPG or PNG image."
TOO_LARGE = (f"The photo must be at most {MAX_SIDE} by {MAX_SIDE} pixels. Choose a smaller photo, or resize it "
             "first.")


def photo_checked(photo: Any, errors: list[FieldError]) -> ContentFile[bytes] | None:
    """The re-encoded copy of an acceptable photo (JPEG or PNG, at most 5 MB and 4000 by 4000
    pixels), ready to store; else None with a field error."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if photo.size > MAX_PHOTO_BYTES:
        errors.append(FieldError("photo", "The photo must be smaller than 5 MB."))
        return None
    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS and raises past twice that: both refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            photo.seek(0)
            with Image.open(photo) as image:
                kind = image.format or ""
                width, height = image.size
                if kind not in ACCEPTED_FORMATS:
                    errors.append(FieldError("photo", NOT_AN_IMAGE))
                    return None
                if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                    errors.append(FieldError("photo", TOO_LARGE))
                    return None
                if kind == "JPEG":
                    # Decode a JPEG at a reduced scale when it is much larger than kept.
                    image.draft("RGB", (STORED_SIDE, STORED_SIDE))
                image.load()
                upright = ImageOps.exif_transpose(image)
                if upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info):
                    rgba = upright.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, (255, 255, 255))
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                    upright = flat
                else:
                    upright = upright.convert("RGB")
                upright.thumbnail((STORED_SIDE, STORED_SIDE))
                out = io.BytesIO()
                upright.save(out, format="JPEG", quality=85, optimize=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        errors.append(FieldError("photo", TOO_LARGE))
        return None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        errors.append(FieldError("photo", NOT_AN_IMAGE))
        return None
    finally:
        photo.seek(0)
    return ContentFile(out.getvalue())


def photo_fit_to_show(path: str | Path) -> bool:
    """Whether a stored photo may be embedded in a page or PDF: one stored before photos were
    re-encoded may be huge, and is left out rather than decoded (header read only)."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError):
        return False
    return width <= MAX_SIDE and height <= MAX_SIDE and width * height <= MAX_PIXELS
