"""Signing in: PKCE, the loopback listener, and where secrets are kept."""
