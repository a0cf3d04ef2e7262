"""Design tokens: colours, sizes and the shared style of the shell."""

import reflex as rx

ACCENT = "indigo"
GRAY = "slate"
SIDEBAR_WIDTH = "15rem"
TOPBAR_HEIGHT = "3.5rem"
CONTENT_MAX_WIDTH = "80rem"
RADIUS = "large"

BORDER = f"1px solid {rx.color('gray', 5)}"
SIDEBAR_BG = rx.color("gray", 2)
ACTIVE_BG = rx.color("accent", 4)
ACTIVE_TEXT = rx.color("accent", 11)
HOVER_BG = rx.color("gray", 4)
MUTED_TEXT = rx.color("gray", 11)

BASE_STYLE = {
    "font_family": "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
}
