"""Render the app icon (resources/icons/app.svg) into the files the packagers want, next to it:
``app.png`` (256 px, Linux and the window), ``app.ico`` (16–256 px, the Windows executables) and ``app.icns``
(16–1024 px, the macOS bundle). Run after changing app.svg: ``uv run python resources/icons/make_icons.py``.

Both containers hold PNG images, which Windows (Vista on) and macOS (10.7 on) read; so no Pillow is needed.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def render(svg: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    svg.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def ico(pngs: dict[int, bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in pngs.items():
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png for size, png in pngs.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter needs a GUI application
    svg = QSvgRenderer(str(ICONS / "app.svg"))
    if not svg.isValid():
        print(f"Cannot read {ICONS / 'app.svg'}", file=sys.stderr)
        return 1
    (ICONS / "app.png").write_bytes(render(svg, 256))
    (ICONS / "app.ico").write_bytes(ico({s: render(svg, s) for s in ICO_SIZES}))
    (ICONS / "app.icns").write_bytes(icns({s: render(svg, s) for s in ICNS_TYPES}))
    print(f"Wrote app.png, app.ico and app.icns in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
