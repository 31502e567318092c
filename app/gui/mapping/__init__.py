"""Widgets of the Field mapping page: the linked field lists, the link editor and the side panels."""
