"""The prospects workspace's fixtures (staff of each role, signed-in clients,
a prospect factory), shared with the related-records tests."""

from tests.prospects.conftest import (  # noqa: F401 (fixtures)
    _fast_password_hashes,
    add_prospect,
    as_user,
    list_ids,
    staff,
)
