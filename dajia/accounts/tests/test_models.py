import pytest

from dajia.accounts.models import User, person_name


@pytest.mark.parametrize(
    ("last", "first", "username", "printed"),
    [
        ("何", "海明", "heming", "何海明"),  # family name first, no space
        ("", "", "lawyer-07", "lawyer-07"),  # no name given: the username
        ("章", "", "zhang", "章"),
        (" ", "", "blank", "blank"),  # a name of spaces is no name
    ],
)
def test_a_person_is_printed_by_their_full_name_else_their_username(last, first, username, printed):
    assert person_name(last_name=last, first_name=first, username=username) == printed
    user = User(last_name=last, first_name=first, username=username)
    assert user.display_name == str(user) == printed
    assert user.get_full_name() == (printed if printed != username else "")
