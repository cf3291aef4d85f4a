import pytest

from apps.core.grids import MAX_QUANTITY, Cell, axes, by_size, cells_from_matrix, matrix_from_cells, repeated, spelled

COLOURS = ["Navy", "White", "Black"]
SIZES = ["XS", "S", "M", "L"]


def cells(matrix):
    return cells_from_matrix(matrix, colours=COLOURS, sizes=SIZES)


def test_cells_from_matrix_spells_as_allowed_and_leaves_out_blanks_and_zeros():
    found, problems = cells({" navy ": {"s": 10, "M": "20", "L": 0, "XS": ""}, "WHITE": {"xs": None, "l": " 5 "}})
    assert problems == []
    assert found == [Cell("Navy", "S", 10), Cell("Navy", "M", 20), Cell("White", "L", 5)]


@pytest.mark.parametrize(
    ("matrix", "problem"),
    [
        ({"Red": {"S": 1}}, "Red is not a colourway of this style (it has Navy, White, Black)."),
        ({"Navy": {"XXL": 1}}, "Size XXL is not in this style's size range (XS, S, M, L)."),
        ({"Navy": {"S": 1}, "navy": {"M": 1}}, "Navy is given twice."),
        ({"Navy": {"S": 1, "s": 2}}, "Navy/S is given twice."),
        ({"Navy": {"S": -3}}, "Navy/S: -3 is not a whole number of pieces."),
        ({"Navy": {"S": 1.5}}, "Navy/S: 1.5 is not a whole number of pieces."),
        ({"Navy": {"S": True}}, "Navy/S: True is not a whole number of pieces."),
        ({"Navy": {"S": "²"}}, "Navy/S: '²' is not a whole number of pieces."),
        (
            {"Navy": {"S": MAX_QUANTITY + 1}},
            f"Navy/S: {MAX_QUANTITY + 1} is more than the {MAX_QUANTITY} a cell holds.",
        ),
        ({"Navy": [1, 2]}, "Navy: quantities must be an object of sizes and quantities."),
        ({"Navy": {"S": 0}}, "The grid has no quantities."),
        ({}, "The grid has no quantities."),
        ([["Navy", "S", 1]], "Quantities must be an object of colours, each an object of sizes and quantities."),
    ],
)
def test_cells_from_matrix_names_each_problem(matrix, problem):
    assert problem in cells(matrix)[1]


def test_cells_from_matrix_reports_every_problem_at_once():
    _, problems = cells({"Red": {"S": 1}, "Navy": {"XXL": 1, "M": "x"}})
    assert len(problems) == 3


def test_matrix_from_cells_orders_rows_and_columns_for_display_and_keeps_unknown_ones_last():
    stored = [Cell("Teal", "S", 1), Cell("White", "L", 2), Cell("Navy", "3XL", 3), Cell("Navy", "XS", 4)]
    matrix = matrix_from_cells(stored, colours=COLOURS, sizes=SIZES)
    assert [(colour, list(row.items())) for colour, row in matrix.items()] == [
        ("Navy", [("XS", 4), ("3XL", 3)]),
        ("White", [("L", 2)]),
        ("Teal", [("S", 1)]),
    ]
    assert axes(stored, colours=COLOURS, sizes=SIZES) == (["Navy", "White", "Teal"], ["XS", "S", "L", "3XL"])


def test_a_matrix_survives_the_round_trip_through_cells():
    matrix = {"White": {"M": 3}, "Navy": {"L": 1, "XS": 2}}
    found, problems = cells(matrix)
    assert problems == []
    assert matrix_from_cells(found, colours=COLOURS, sizes=SIZES) == {"Navy": {"XS": 2, "L": 1}, "White": {"M": 3}}


def test_spelled_finds_the_allowed_spelling_in_any_case():
    assert (spelled(" m ", SIZES), spelled("navy", COLOURS), spelled("XXL", SIZES)) == ("M", "Navy", None)


def test_repeated_names_each_name_given_twice_in_any_case_once_as_first_spelled():
    assert repeated(["A", "b", "a", "B", "A", "c"]) == ["A", "b"]
    assert repeated(["A", "B"]) == []


def test_by_size_keys_values_by_the_allowed_spelling_and_names_unknown_and_repeated_sizes():
    assert by_size({"s": 1, "L": 2}, sizes=SIZES) == ({"S": 1, "L": 2}, [])
    found, problems = by_size({"S": 1, "s": 2, "3XL": 3}, sizes=SIZES, label="Navy/")
    assert found == {"S": 1}
    assert problems == ["Navy/S is given twice.", "Size 3XL is not in this style's size range (XS, S, M, L)."]
