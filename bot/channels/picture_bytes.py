"""Pictures decoded and drawn again before they are kept: only real images, of a sensible size, no metadata.

Checking the first bytes let anything with a PNG header in (5 MB of padding passed as a picture), and a
small file can claim a huge canvas that decoding would blow up. Re-encoding keeps what an agent needs to
see (a scratch, a wrong label) at a fraction of the size, and drops EXIF (a phone's GPS position included).
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = ("JPEG", "PNG", "GIF")  # what `picture_type` lets through to here
# A canvas a phone camera makes is ~50 MP at most; past that it is a decompression bomb, not a photo.
MAX_PIXELS = 60_000_000
MAX_SIDE = 2048
JPEG_QUALITY = 85


def redrawn(data: bytes) -> tuple[bytes, str] | None:
    """The picture re-encoded (JPEG, or PNG where it is transparent) with its type; None when it is no
    picture we take. CPU-bound: call it in a thread."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS or image.width * image.height > MAX_PIXELS:
                return None
            image.seek(0)  # an animation keeps its first frame
            picture = ImageOps.exif_transpose(image.copy())
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        return None
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if _transparent(picture):
        picture.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    picture.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue(), "image/jpeg"


def _transparent(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info)
