"""The campaign link as a QR code (SVG) for a projector or a printed sheet; needs the `segno` package."""

from __future__ import annotations

import io
from html import escape


def available() -> bool:
    try:
        import segno  # noqa: F401
    except ImportError:
        return False
    return True


def svg(url: str, scale: int = 8) -> str | None:
    """The QR code of `url` as an SVG document (None when segno is not installed)."""
    try:
        import segno
    except ImportError:
        return None
    return segno.make(url, error="m").svg_inline(scale=scale, border=2, dark="#12335e")


def png(url: str, scale: int = 8) -> bytes | None:
    """The QR code of `url` as PNG bytes (None when segno is not installed)."""
    try:
        import segno
    except ImportError:
        return None
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2, dark="#12335e")
    return buf.getvalue()


def poster_html(url: str, title: str, lines: list[str], lang: str = "th") -> str:
    """A printable A4 page: title, the QR code, the link written out, a few lines (agency, round, closing)."""
    code = svg(url, scale=12) or ""
    rows = "".join(f"<p>{escape(t)}</p>" for t in lines)
    return (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        "<style>@page { size: A4; margin: 15mm; } body { font-family: 'Sarabun', 'TH Sarabun New', "
        "'Noto Sans Thai', sans-serif; text-align: center; color: #12335e; } h1 { font-size: 24pt; } "
        "p { font-size: 14pt; margin: 4pt 0; } .url { font-family: monospace; font-size: 16pt; "
        "word-break: break-all; } svg { width: 120mm; height: 120mm; }</style></head><body>"
        f"<h1>{escape(title)}</h1>{code}<p class=\"url\">{escape(url)}</p>{rows}</body></html>"
    )
