"""Un-ignoring a failed record puts it back among the open ones, and says how many it really changed."""

from app.services import review
from app.store.models import FailedRecord


def test_unignore_reopens_only_ignored_records(world):
    service = world.sync_service()
    profile = service.profile
    ignored = FailedRecord.create(profile=profile, pair="contacts", direction="xero->zoho", source_id="a",
                                  status="ignored")
    waiting = FailedRecord.create(profile=profile, pair="invoices", direction="xero->zoho", source_id="b",
                                  status="waiting")
    assert review.unignore(service, [ignored.id, waiting.id]) == 1
    assert FailedRecord.get_by_id(ignored.id).status == "open"
    assert FailedRecord.get_by_id(waiting.id).status == "waiting"
    assert review.unignore(service, [ignored.id]) == 0  # repeated: nothing left to un-ignore
