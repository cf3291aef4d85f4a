"""Colour x size grids: how staff enter and read quantities, and the one-row-per-SKU form they are stored in.

A grid is a matrix {colour: {size: quantity}}. It knows nothing of styles or orders: callers
name the colours and sizes allowed (in display order) and get back the stored rows, or the
matrix of stored rows, and the problems found, each as a message fit for the person typing.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The most pieces one cell may hold: what a PostgreSQL integer column stores.
MAX_QUANTITY = 2_147_483_647
_WHOLE_NUMBER = re.compile(r"[0-9]+")  # ASCII digits only: int() would also take "٣" and refuse "²"


@dataclass(frozen=True)
class Cell:
    colour: str
    size: str
    quantity: int


def spellings(names: Iterable[str]) -> dict[str, str]:
    """Case-insensitive lookup of the allowed spelling: {"navy": "Navy"}."""
    return {name.strip().lower(): name for name in names}


def spelled(name, names: Iterable[str]) -> str | None:
    """`name` as `names` spell it, ignoring case and surrounding spaces ("m" -> "M"), or None if it is not one."""
    return spellings(names).get(str(name).strip().lower())


def repeated(names: Iterable[str]) -> list[str]:
    """The names given more than once, ignoring case and surrounding spaces, each once as first spelled."""
    first, twice = {}, {}
    for name in names:
        key = name.strip().lower()
        if key in first:
            twice.setdefault(key, first[key])
        first.setdefault(key, name)
    return list(twice.values())


def not_a_colourway(colour, colours: Iterable[str]) -> str:
    return f"{colour} is not a colourway of this style (it has {', '.join(colours) or 'none yet'})."


def not_a_size(size, sizes: Iterable[str]) -> str:
    return f"Size {size} is not in this style's size range ({', '.join(sizes)})."


def by_size(row: dict, *, sizes: Iterable[str], label: str = "Size ") -> tuple[dict, list[str]]:
    """`row` ({size: value}) keyed by the sizes as allowed, in the order given, and the problems: a size
    not allowed, or one given twice (in any case), named as f"{label}{size}"."""
    allowed, found, problems = spellings(sizes), {}, []
    for size, value in row.items():
        size_name = allowed.get(str(size).strip().lower())
        if size_name is None:
            problems.append(not_a_size(size, allowed.values()))
        elif size_name in found:
            problems.append(f"{label}{size_name} is given twice.")
        else:
            found[size_name] = value
    return found, problems


def whole_number(value) -> int | None:
    """The whole, non-negative number `value` stands for (an int, or ASCII digits), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if number >= 0 else None


def cells_from_matrix(matrix: dict, *, colours: Iterable[str], sizes: Iterable[str]) -> tuple[list[Cell], list[str]]:
    """The non-zero cells of `matrix`, colours and sizes spelled as allowed, and the problems found.

    Empty cells and zeros are left out (a blank grid cell means none). Unknown colours or sizes,
    one colour or size named twice (in any case), quantities that are not whole numbers from 0 to
    MAX_QUANTITY, and a grid with no quantity at all are problems; the cells are only meaningful
    when there are none.
    """
    allowed_colours, sizes = spellings(colours), list(sizes)
    if not isinstance(matrix, dict):
        return [], ["Quantities must be an object of colours, each an object of sizes and quantities."]
    cells, problems, seen_colours = [], [], set()
    for colour, row in matrix.items():
        colour_name = allowed_colours.get(str(colour).strip().lower())
        if colour_name is None:
            problems.append(not_a_colourway(colour, allowed_colours.values()))
            continue
        if colour_name in seen_colours:
            problems.append(f"{colour_name} is given twice.")
            continue
        seen_colours.add(colour_name)
        if not isinstance(row, dict):
            problems.append(f"{colour_name}: quantities must be an object of sizes and quantities.")
            continue
        values, size_problems = by_size(row, sizes=sizes, label=f"{colour_name}/")
        problems += size_problems
        for size_name, value in values.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            quantity = whole_number(value)
            if quantity is None:
                problems.append(f"{colour_name}/{size_name}: {value!r} is not a whole number of pieces.")
            elif quantity > MAX_QUANTITY:
                problems.append(f"{colour_name}/{size_name}: {quantity} is more than the {MAX_QUANTITY} a cell holds.")
            elif quantity:
                cells.append(Cell(colour_name, size_name, quantity))
    if not cells and not problems:
        problems.append("The grid has no quantities.")
    return cells, problems


def _display_order(names: Iterable[str], order: Iterable[str]) -> list[str]:
    """`names` without repeats, in `order`; names not in it come last, in the order met."""
    position = {name: index for index, name in enumerate(order)}
    unique = list(dict.fromkeys(names))
    return sorted(unique, key=lambda name: position.get(name, len(position)))  # stable: the unknown keep their order


def matrix_from_cells(cells: Iterable[Cell], *, colours: Iterable[str], sizes: Iterable[str]) -> dict:
    """The matrix of stored cells, colours and sizes in the given (display) order; missing cells left out.

    Cells whose colour or size is not among those given come last, in the order met, so a
    matrix never loses a stored row because a colourway was renamed later.
    """
    cells = list(cells)
    colour_axis, size_axis = axes(cells, colours=colours, sizes=sizes)
    quantities = {(cell.colour, cell.size): cell.quantity for cell in cells}
    matrix: dict[str, dict[str, int]] = {}
    for colour in colour_axis:
        for size in size_axis:
            if (colour, size) in quantities:
                matrix.setdefault(colour, {})[size] = quantities[colour, size]
    return matrix


def axes(cells: Iterable[Cell], *, colours: Iterable[str], sizes: Iterable[str]) -> tuple[list[str], list[str]]:
    """The grid's rows and columns: the colours and the sizes the cells use, in display order as above."""
    cells = list(cells)
    return (
        _display_order((cell.colour for cell in cells), colours),
        _display_order((cell.size for cell in cells), sizes),
    )
