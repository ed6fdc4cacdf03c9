"""WCAG 2 contrast between two #rrggbb colours (the form's button text on its
background): below 4.5:1 normal-size text is hard to read for many people."""

from __future__ import annotations

MIN_TEXT_CONTRAST = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    r, g, b = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """1.0 (none) to 21.0 (black on white)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_warning(foreground: str, background: str) -> str | None:
    """A plain-words warning when the pair is too faint, else ``None``."""
    try:
        ratio = contrast_ratio(foreground, background)
    except ValueError:
        return None
    if ratio >= MIN_TEXT_CONTRAST:
        return None
    return (
        f"The button text and background have a contrast of {ratio:.1f}:1; "
        f"at least {MIN_TEXT_CONTRAST}:1 is needed for everyone to read it easily."
    )
