"""`reset --disconnect xero|zoho`: says exactly what it would clear and does nothing; with `--yes` backs the
database up, sets the links and history aside in an archive profile and disconnects that side."""

from __future__ import annotations

import json
import re
from pathlib import Path


def test_reset_disconnect_says_what_it_would_clear_then_does_it_with_yes(synced_cli, data_dir):
    said = synced_cli("--demo", "reset", "--disconnect", "xero").out
    links = int(re.search(r"set aside ([\d,]+) links between records", said).group(1).replace(",", ""))
    assert links > 0 and "history entries" in said and "back up the database" in said
    assert "disconnect Xero (its sign-in is revoked)" in said and "field mapping and settings stay" in said
    again = synced_cli("--demo", "reset", "--disconnect", "xero", "--json").out
    assert json.loads(again)["would_set_aside"]["Link"] == links  # nothing was done

    done = synced_cli("--demo", "reset", "--disconnect", "xero", "--yes").out
    assert done.startswith("Xero is disconnected.") and f"{links:,} links between records" in done
    backup = Path(re.search(r"A copy of the database from before is at (\S+\.db)\.", done).group(1))
    assert backup.is_file() and backup.is_relative_to(data_dir)
    profiles = synced_cli("--demo", "profiles", "list").out
    assert "(archived " in profiles

    after = synced_cli("--demo", "reset", "--disconnect", "xero").out
    assert "there are no links or history to set aside" in after
    # (the demo signs in to the sandbox again on each command; the sign-in's revocation is in the services tests)


def test_reset_disconnect_and_keep_links_do_not_go_together(cli):
    result = cli("--demo", "reset", "--disconnect", "zoho", "--keep-links", expect=None)
    assert result.rc != 0 and "do not go together" in result.out + result.err
