"""Pixels of a stored instance: its frames as raw little-endian bytes (compressed syntaxes
decoded by pydicom's and pylibjpeg's codecs), and an image to look at (JPEG or PNG),
windowed from the query or the dataset."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.pixels import pixel_array
from pydicom.uid import UID

from xietong.core.errors import NotFound, ValidationFailed

from .models import Instance

THUMBNAIL = 128
VIEWPORT_MAX = 4096


def dataset_of(instance: Instance) -> Dataset:
    with default_storage.open(instance.file, "rb") as handle:
        return dcmread(io.BytesIO(handle.read()))


def file_bytes(instance: Instance) -> bytes:
    with default_storage.open(instance.file, "rb") as handle:
        return bytes(handle.read())


def _frame_count(ds: Dataset) -> int:
    return int(ds.get("NumberOfFrames", 1) or 1)


def frame_bytes(ds: Dataset, number: int) -> bytes:
    """Frame `number` (from 1) uncompressed: native pixel data is cut out as stored, a
    compressed frame is decoded."""
    if not 1 <= number <= _frame_count(ds) or "PixelData" not in ds:
        raise NotFound()
    syntax = UID(ds.file_meta.TransferSyntaxUID)
    if not syntax.is_encapsulated and int(ds.get("BitsAllocated", 8)) % 8 == 0:
        size = len(ds.PixelData) // _frame_count(ds)
        return bytes(ds.PixelData[(number - 1) * size : number * size])
    array = pixel_array(ds, index=number - 1, as_rgb=False)
    return np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()


@dataclass(frozen=True)
class Window:
    centre: float
    width: float


def window_parse(value: str) -> Window | None:
    """`window=centre,width[,function]` of the rendered query (PS3.18 8.3.5.1.3)."""
    if not value:
        return None
    parts = value.split(",")
    try:
        centre, width = float(parts[0]), float(parts[1])
    except (IndexError, ValueError) as exc:
        raise ValidationFailed.single("window", _("window is centre,width[,function].")) from exc
    if width <= 0:
        raise ValidationFailed.single("window", _("The window width must be positive."))
    return Window(centre, width)


def viewport_parse(value: str) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        width, height = (int(v) for v in value.split(",")[:2])
    except ValueError as exc:
        raise ValidationFailed.single("viewport", _("viewport is width,height.")) from exc
    if not (0 < width <= VIEWPORT_MAX and 0 < height <= VIEWPORT_MAX):
        raise ValidationFailed.single("viewport", _("The viewport is too large."))
    return width, height


def _first(value: object) -> float | None:
    if isinstance(value, MultiValue | list | tuple):  # several windows: the first
        value = value[0] if len(value) else None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _window_of(ds: Dataset, values: np.ndarray) -> Window:
    centre, width = _first(ds.get("WindowCenter")), _first(ds.get("WindowWidth"))
    if centre is not None and width and width > 0:
        return Window(centre, width)
    low, high = float(values.min()), float(values.max())
    return Window((low + high) / 2, max(high - low, 1.0))


def image_render(
    ds: Dataset,
    *,
    frame: int = 1,
    window: Window | None = None,
    viewport: tuple[int, int] | None = None,
    media: str = "image/jpeg",
) -> bytes:
    """The frame as an image a browser shows: monochrome through the modality LUT and the
    window, colour as it is; fitted into the viewport, keeping its proportions."""
    if not 1 <= frame <= _frame_count(ds) or "PixelData" not in ds:
        raise NotFound()
    array = pixel_array(ds, index=frame - 1)
    if array.ndim == 2:
        slope = float(ds.get("RescaleSlope", 1) or 1)
        intercept = float(ds.get("RescaleIntercept", 0) or 0)
        values = array.astype(np.float32) * slope + intercept
        w = window or _window_of(ds, values)
        low = w.centre - w.width / 2
        scaled = np.clip((values - low) / w.width * 255.0, 0, 255).astype(np.uint8)
        if str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1":
            scaled = 255 - scaled
        image = Image.fromarray(scaled, mode="L")
    else:
        image = Image.fromarray(array.astype(np.uint8), mode="RGB")
    if viewport is not None:
        image.thumbnail(viewport)
    out = io.BytesIO()
    if media == "image/png":
        image.save(out, format="PNG")
    else:
        image.save(out, format="JPEG", quality=90)
    return out.getvalue()
