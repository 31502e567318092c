"""The demo after a crash: the app was killed before the sandbox saved its state, so the sandbox no longer knows
the saved sign-ins. The next start signs in to it again by itself instead of saying "reconnect"."""

from __future__ import annotations

import argparse

from app.services.runtime import open_context
from app.services.sync import SyncService


def _demo_args(data_dir) -> argparse.Namespace:
    return argparse.Namespace(demo=True, data_dir=str(data_dir), endpoints=None, verbose=False, profile="default")


def test_a_demo_whose_sandbox_lost_its_state_signs_in_again(data_dir):
    with open_context(_demo_args(data_dir)) as ctx:
        assert SyncService(ctx).sync().outcome in ("ok", "partial")
        state_file = ctx.paths.sandbox_state
    state_file.unlink()  # killed before the sandbox wrote its state: it starts again from its seed
    with open_context(_demo_args(data_dir)) as ctx:
        report = SyncService(ctx).sync()
        assert report.outcome in ("ok", "partial"), report.message
        assert not report.needs_sign_in
