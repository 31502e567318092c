"""The window's pages: one module each, given their services through the constructor."""
