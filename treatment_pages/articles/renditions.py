"""The image sizes the API offers, and an image's JSON with them.

A front end picks one of these names; it can never ask for an arbitrary filter spec,
which would let anyone make the server resize images at will. Two kinds:

- named renditions (``thumbnail``, ``medium``, ``large``) inside every image the API
  returns, for a simple ``<img>``;
- pictures (``PICTURE_SIZES``) on request from ``/api/v3/pictures/{image_id}/?size=``: a
  ``srcset`` of a few widths in AVIF, WebP and the original format, for ``<picture>``. The
  allow-list bounds the renditions one image can ever have, and Wagtail keeps each one it
  makes, so a request costs work only the first time.

URLs are absolute (Wagtail's ``full_url``: an absolute ``MEDIA_URL`` as it is, else
``WAGTAILADMIN_BASE_URL`` in front), so a front end on another origin can use them as they
are; check ``treatment_pages.W003`` says when neither is set.
"""

from typing import Literal

from typing_extensions import TypedDict  # pydantic (the v3 schema) needs it before Python 3.12


class RenditionDict(TypedDict):
    url: str
    width: int
    height: int


class NamedRenditionsDict(TypedDict):
    thumbnail: RenditionDict
    medium: RenditionDict
    large: RenditionDict


class ImageWithRenditionsDict(TypedDict):
    id: int
    title: str
    width: int
    height: int
    # None when the original file is missing from storage.
    renditions: NamedRenditionsDict | None


API_RENDITION_SPECS = {
    "thumbnail": "fill-400x300",
    "medium": "max-800x800",
    "large": "max-1600x1600",
}


def rendition_representation(rendition) -> RenditionDict:
    return {"url": rendition.full_url, "width": rendition.width, "height": rendition.height}


def image_api_representation(image) -> ImageWithRenditionsDict | None:
    """``{"id", "title", "width", "height", "renditions": {name: {...}}}`` for an image, or None."""
    from wagtail.images.models import SourceImageIOError

    if image is None:
        return None
    try:
        renditions = image.get_renditions(*API_RENDITION_SPECS.values())
    except SourceImageIOError:
        # The file is missing on disk: say so instead of failing the whole page.
        sized = None
    else:
        sized = {
            name: rendition_representation(renditions[spec]) for name, spec in API_RENDITION_SPECS.items()
        }
    return {
        "id": image.pk,
        "title": image.title,
        "width": image.width,
        "height": image.height,
        "renditions": sized,
    }


# --- Pictures: srcset widths in modern formats, on request within the allow-list ----------

# name: (the crop's width:height, or None to keep the image's own shape; the srcset widths)
PICTURE_SIZES = {
    "card": ((4, 3), (320, 480, 640, 960)),
    "content": (None, (480, 800, 1200, 1600)),
    "hero": ((12, 5), (640, 960, 1280, 1920)),
}
PictureSize = Literal["card", "content", "hero"]
# Best first, as a <picture> lists its <source>s; the original format is the <img> fallback.
PICTURE_FORMATS = (("avif", "image/avif"), ("webp", "image/webp"))


class PictureSourceDict(TypedDict):
    type: str
    srcset: str


class PictureDict(TypedDict):
    image_id: int
    size: str
    src: str
    width: int
    height: int
    srcset: str
    sources: list[PictureSourceDict]


def picture_widths(image, size):
    """The allowed widths for ``size`` that ``image`` is wide enough for (never upscaled); at least one."""
    _ratio, widths = PICTURE_SIZES[size]
    fitting = [width for width in widths if width <= image.width]
    return fitting or [min(image.width, widths[0])]


def picture_spec(size, width, image_format=None):
    ratio, _widths = PICTURE_SIZES[size]
    spec = f"fill-{width}x{round(width * ratio[1] / ratio[0])}" if ratio else f"width-{width}"
    return f"{spec}|format-{image_format}" if image_format else spec


def picture_representation(image, size) -> PictureDict:
    """What a ``<picture>`` needs for ``image`` at the allowed ``size``: ``sources`` (AVIF, WebP),
    the fallback ``srcset`` and ``src`` in the original format, and its width and height."""
    widths = picture_widths(image, size)
    formats = [None, *(name for name, _mime in PICTURE_FORMATS)]
    specs = [picture_spec(size, width, image_format) for image_format in formats for width in widths]
    renditions = image.get_renditions(*specs)

    def srcset(image_format):
        return ", ".join(
            f"{renditions[picture_spec(size, width, image_format)].full_url} "
            f"{renditions[picture_spec(size, width, image_format)].width}w"
            for width in widths
        )

    # The fallback <img> is the largest width at most 800 px: sharp enough where srcset is ignored.
    fallback_width = max((width for width in widths if width <= 800), default=widths[0])
    fallback = renditions[picture_spec(size, fallback_width)]
    return {
        "image_id": image.pk,
        "size": size,
        "src": fallback.full_url,
        "width": fallback.width,
        "height": fallback.height,
        "srcset": srcset(None),
        "sources": [{"type": mime, "srcset": srcset(name)} for name, mime in PICTURE_FORMATS],
    }
