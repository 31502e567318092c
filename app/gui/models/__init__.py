"""Qt models for the pages: lazy tables over the read API."""
