"""The application layer: connecting accounts, running syncs, answering the CLI and the GUI alike.

It wires the clients (integrations), the login (auth), the local state (store) and the engine (core) together.
"""
