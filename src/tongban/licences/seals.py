"""Drawing a department's e-seal image (电子印章) with Pillow: a red ring, a five-pointed star
and the department's name along the upper arc — for demos and for seals created without an
uploaded image. A real seal image is uploaded in the admin."""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RED = (200, 16, 16, 255)
_FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]


@lru_cache(maxsize=8)
def _font(size: int):
    for path in _FONT_CANDIDATES:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return None  # no CJK font on this machine: the seal is drawn without its name


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.38
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=RED)


def draw_seal(name: str, *, size: int = 400) -> bytes:
    """A round red seal with ``name`` along the arc, as PNG bytes (transparent background)."""
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    c = size / 2
    ring = size * 0.035
    draw.ellipse((ring, ring, size - ring, size - ring), outline=RED, width=int(ring))
    _star(draw, c, c, size * 0.16)
    font = _font(int(size * 0.1))
    text = name[:16]
    if font is not None and text:
        radius = size * 0.34
        span = min(math.radians(250), math.radians(20) * len(text))
        start = -math.pi / 2 - span / 2
        step = span / max(len(text) - 1, 1)
        for i, ch in enumerate(text):
            angle = start + i * step if len(text) > 1 else -math.pi / 2
            glyph = Image.new("RGBA", (int(size * 0.14), int(size * 0.14)), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text(
                (glyph.width / 2, glyph.height / 2), ch, font=font, fill=RED, anchor="mm"
            )
            glyph = glyph.rotate(-math.degrees(angle + math.pi / 2), expand=True)
            x = c + radius * math.cos(angle) - glyph.width / 2
            y = c + radius * math.sin(angle) - glyph.height / 2
            image.alpha_composite(glyph, (int(x), int(y)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
