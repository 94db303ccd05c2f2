"""A person's name as others read it: a deleted account's in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.i18n import speaking
from bot.texts.common import shown
from core.services.privacy import anonymous_name
from storage.models import User


def test_a_name_is_shown_as_its_owner_wrote_it() -> None:
    with speaking("ru"):
        assert shown(User(id=7, first_name="Frank")) == "Frank"


def test_a_deleted_account_is_named_in_the_readers_language() -> None:
    gone = User(id=12, first_name=anonymous_name(12), deleted_at=datetime(2026, 12, 6, tzinfo=UTC))
    assert shown(gone) == "Deleted user #12"
    with speaking("ru"):
        assert shown(gone) == "Удалённый пользователь #12"
    with speaking("es"):
        assert shown(gone) == "Usuario eliminado #12"
