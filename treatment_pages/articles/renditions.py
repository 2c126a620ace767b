"""The named image sizes the API offers, and an image's JSON with them.

A front end picks one of these names; it can never ask for an arbitrary filter
spec, which would let anyone make the server resize images at will.
"""

from typing_extensions import TypedDict  # pydantic (the v3 schema) needs it before Python 3.12


class RenditionDict(TypedDict):
    url: str
    full_url: str
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
    return {
        "url": rendition.url,
        "full_url": rendition.full_url,
        "width": rendition.width,
        "height": rendition.height,
    }


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
