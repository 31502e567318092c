"""Un-ignoring a failed record puts it back among the open ones, and says how many it really changed."""

from types import SimpleNamespace

from app.paths import AppPaths
from app.services import review
from app.store.db import open_db
from app.store.models import FailedRecord
from app.store.settings import get_profile


def test_unignore_reopens_only_ignored_records(data_dir):
    open_db(AppPaths(data_dir, data_dir / "logs").ensure().database)
    profile = get_profile("default")
    service = SimpleNamespace(profile=profile)
    ignored = FailedRecord.create(profile=profile, pair="contacts", direction="xero->zoho", source_id="a",
                                  status="ignored")
    waiting = FailedRecord.create(profile=profile, pair="invoices", direction="xero->zoho", source_id="b",
                                  status="waiting")
    assert review.unignore(service, [ignored.id, waiting.id]) == 1
    assert FailedRecord.get_by_id(ignored.id).status == "open"
    assert FailedRecord.get_by_id(waiting.id).status == "waiting"
    assert review.unignore(service, [ignored.id]) == 0  # repeated: nothing left to un-ignore
