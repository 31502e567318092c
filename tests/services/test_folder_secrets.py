"""Two data folders on one PC keep their own keyring entries; a folder made before that adopts its entries once."""

from __future__ import annotations

from app.auth.secrets import DEFAULT_SERVICE, KeyringStore
from app.integrations.endpoints import Endpoints
from app.paths import AppPaths
from app.services.context import AppContext
from app.services.folder_secrets import FOLDER_ID_FILE
from app.store.db import open_db
from app.store.settings import get_profile
from tests.memory_keyring import MemoryKeyring


def open_folder(path):
    return AppContext.open(AppPaths(path, path / "logs"), Endpoints())


def test_two_data_folders_do_not_share_sign_ins(tmp_path):
    first = open_folder(tmp_path / "shop")
    first.secrets.set("xero:default:refresh_token", "shop-token")
    second = open_folder(tmp_path / "workshop")
    second.secrets.set("xero:default:refresh_token", "workshop-token")
    assert first.secrets.get("xero:default:refresh_token") == "shop-token"
    assert second.secrets.get("xero:default:refresh_token") == "workshop-token"
    again = open_folder(tmp_path / "shop")  # the folder keeps its id: the same entries next time
    assert again.secrets.get("xero:default:refresh_token") == "shop-token"
    services = {service for service, _ in MemoryKeyring._store}
    assert len(services) == 2 and all(s.startswith(f"{DEFAULT_SERVICE} ") for s in services)
    for ctx in (first, second, again):
        ctx.close()


def test_a_folder_from_before_takes_its_entries_from_the_shared_service_once(tmp_path):
    folder = tmp_path / "old"
    paths = AppPaths(folder, folder / "logs").ensure()
    open_db(paths.database)
    get_profile("default")
    get_profile("Kiwi branch")
    shared = KeyringStore(DEFAULT_SERVICE, MemoryKeyring())
    shared.set("xero:default:refresh_token", "old-default")
    shared.set("zoho:Kiwi branch:refresh_token", "old-kiwi")
    assert not (folder / FOLDER_ID_FILE).exists()

    ctx = open_folder(folder)
    assert ctx.secrets.get("xero:default:refresh_token") == "old-default"
    assert ctx.secrets.get("zoho:Kiwi branch:refresh_token") == "old-kiwi"
    assert shared.get("xero:default:refresh_token") is None  # moved, not copied
    ctx.close()

    shared.set("xero:default:refresh_token", "someone-else")  # a folder with its id adopts nothing more
    ctx = open_folder(folder)
    assert ctx.secrets.get("xero:default:refresh_token") == "old-default"
    ctx.close()
    new = open_folder(tmp_path / "brand-new")  # nor does a new folder
    assert new.secrets.get("xero:default:refresh_token") is None
    new.close()
