"""The sync engine: pure Python, no Qt and no HTTP library. Talks to the clients through interfaces."""
