"""A sync frees what it made as it goes: it leaves no reference cycles behind for the garbage collector, so memory
stays flat through a long first sync (during a sync the collector runs rarely, see app.services.gc_policy)."""

import gc


def test_a_sync_leaves_no_reference_cycles(world):
    collected = []

    def count(phase, info):
        if phase == "stop":
            collected.append(info["collected"])

    gc.collect()
    gc.callbacks.append(count)
    try:
        report = world.sync_service().sync()
        world.clock.advance(300)
        world.sync_service().sync()
        gc.collect()
    finally:
        gc.callbacks.remove(count)
    assert report.outcome == "ok"
    assert sum(collected) == 0
