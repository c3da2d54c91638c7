"""INNs are checked in one module (hub/inn.py, python-stdnum's checksum) for accounts, deals and the demo."""
import random

import pytest

from hub import inn


@pytest.mark.parametrize("number", ["7707083893", "500100732259", "7736207543", "7830002293"])
def test_valid_inns(number):
    assert inn.is_valid(number) and inn.problem(number) is None


@pytest.mark.parametrize("number, problem", [
    ("7707083894", inn.CHECKSUM),  # last digit off
    ("500100732258", inn.CHECKSUM), ("500100732249", inn.CHECKSUM),  # each of the two check digits off
    ("770708389", inn.LENGTH), ("77070838930", inn.LENGTH), ("5001007322590", inn.LENGTH),
    ("77070838a3", inn.LENGTH), ("", inn.LENGTH), (None, inn.LENGTH),
    ("７７０７０８３８９３", inn.LENGTH),  # full-width digits
    # One digit repeated: 0000000000 even passes the checksum; every such number is a placeholder.
    ("0000000000", inn.PLACEHOLDER), ("000000000000", inn.PLACEHOLDER), ("1111111111", inn.PLACEHOLDER),
    ("999999999999", inn.PLACEHOLDER),
])
def test_refused_inns(number, problem):
    assert inn.problem(number) == problem
    assert not inn.is_valid(number)


def test_the_zero_placeholder_would_pass_the_bare_checksum():
    from stdnum.ru import inn as stdnum_inn
    assert stdnum_inn.is_valid("0000000000")  # why the placeholder rule exists


def test_clean_strips_spaces_and_dashes():
    assert inn.clean(" 7707 083 893 ") == "7707083893"
    assert inn.is_valid("7707-083-893")


def test_generated_numbers_carry_their_check_digits():
    assert inn.company("770708389") == "7707083893"
    rng = random.Random(1)
    for _ in range(200):
        body = "".join(rng.choice("0123456789") for _ in range(10))
        twelve = inn.personal(body)
        if len(set(twelve)) > 1:
            assert inn.is_valid(twelve)
            assert not inn.is_valid(twelve[:-1] + str((int(twelve[-1]) + 1) % 10))
    with pytest.raises(ValueError):
        inn.company("12345")
