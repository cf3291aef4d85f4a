"""Reads of orders shaped for people: the colour x size grid of an order's lines."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from apps.core.grids import Cell, axes, matrix_from_cells
from apps.samples.models import Style

from .models import OrderLine


@dataclass(frozen=True)
class GridLine:
    """The lines of one style at one unit price, as a matrix {colour: {size: quantity}}; `colours`
    and `sizes` are its rows and columns in the style's order."""

    style: Style
    unit_price: Decimal
    colours: list[str]
    sizes: list[str]
    quantities: dict[str, dict[str, int]]
    total_quantity: int
    amount: Decimal

    @property
    def style_code(self) -> str:
        return self.style.code


def order_grid(lines: Iterable[OrderLine]) -> list[GridLine]:
    """Order lines grouped by style and unit price, in the order of each group's first line.

    Reads each line's style with its size range and colourways, which Order.objects.for_detail()
    prefetches: no queries of its own.
    """
    groups: dict[tuple[int, Decimal], list[OrderLine]] = {}
    for line in lines:
        groups.setdefault((line.style_id, line.unit_price), []).append(line)
    grid = []
    for (_, unit_price), group in groups.items():
        style = group[0].style
        colours = [colourway.name for colourway in style.colourways.all()]
        sizes = style.sizes
        cells = [Cell(line.colour, line.size, line.quantity) for line in group]
        colour_axis, size_axis = axes(cells, colours=colours, sizes=sizes)
        grid.append(
            GridLine(
                style=style,
                unit_price=unit_price,
                colours=colour_axis,
                sizes=size_axis,
                quantities=matrix_from_cells(cells, colours=colours, sizes=sizes),
                total_quantity=sum(cell.quantity for cell in cells),
                amount=sum((line.quantity * line.unit_price for line in group), Decimal(0)),
            )
        )
    return grid
