"""Generated sheets (料金集計, 期限・年齢, …) written as sheet XML, a thousand rows at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from .cells import _number_text, column_letters
from .xmltext import NS_DOC_REL, NS_MAIN
from .styles import _Styles
from .sheet_cells import _LETTERS, _cell_xml


# ------------------------------------------------------------------------------------------------
# Generated sheets
# ------------------------------------------------------------------------------------------------

@dataclass
class _Generated:
    name: str
    note: str
    columns: Sequence[Any]  # each with .header, .width, .number_format (io.report_sheets.ReportColumn)
    rows: Sequence[Sequence[Any]]
    after: str | None


NOTE_RGB = "FF666666"  # io/report_sheets.NOTE_FONT
HEADER_RGB = "FFDDEBF7"  # io/report_sheets.HEADER_FILL


def _generated_sheet_xml(sheet: _Generated, styles: _Styles, date1904: bool, selected: bool) -> Callable[[], Iterator[bytes]]:
    """What io/report_sheets.replace_sheet draws: a note, a bold header (frozen), the rows, a filter.

    The styles are added now (before styles.xml is written); the sheet XML is produced when the
    package is written, a thousand rows at a time, never as one string."""
    note_style = styles.cell_style(font=styles.font(size=9, rgb=NOTE_RGB))
    header_style = styles.cell_style(font=styles.font(bold=True), fill=styles.solid_fill(HEADER_RGB),
                                     alignment={"horizontal": "center", "vertical": "center", "wrapText": "1"})
    formats = {spec.number_format: styles.cell_style(number_format=spec.number_format)
               for spec in sheet.columns if spec.number_format}
    # per column: (style of a value, style of a number below zero), for wrapped text and overdue days
    special: dict[int, tuple[int | None, int | None]] = {}
    for i, spec in enumerate(sheet.columns, start=1):
        wrap, negative = getattr(spec, "wrap", False), getattr(spec, "negative_fill", None)
        if wrap or negative:
            align = {"wrapText": "1", "vertical": "top"} if wrap else None
            plain = styles.cell_style(number_format=spec.number_format, alignment=align) if wrap else None
            below = (styles.cell_style(number_format=spec.number_format, alignment=align,
                                       fill=styles.solid_fill("FF" + negative)) if negative else None)
            special[i] = (plain, below)
    from ..print_setup import setup_for, sheet_xml

    sheet_pr, print_options, page_setup = sheet_xml(setup_for(sheet.name))
    last_col = column_letters(max(len(sheet.columns), 1))
    last_row = len(sheet.rows) + 2
    selected_attr = ' tabSelected="1"' if selected else ""

    def chunks() -> Iterator[bytes]:
        head = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_DOC_REL}">'
            f'{sheet_pr}<dimension ref="A1:{last_col}{last_row}"/>'
            f'<sheetViews><sheetView{selected_attr} workbookViewId="0">'
            '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A3" sqref="A3"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
        )
        if sheet.columns:
            head += "<cols>" + "".join(f'<col min="{i}" max="{i}" width="{_number_text(float(spec.width))}" customWidth="1"/>'
                                       for i, spec in enumerate(sheet.columns, start=1)) + "</cols>"
        yield head.encode("utf-8") + b"<sheetData>"
        yield b'<row r="1">' + _cell_xml(b"", 1, 1, sheet.note, note_style, date1904) + b"</row>"
        yield b'<row r="2">' + b"".join(_cell_xml(b"", 2, i, spec.header, header_style, date1904)
                                       for i, spec in enumerate(sheet.columns, start=1)) + b"</row>"

        def style_of(i: int, spec: Any, value: Any) -> int | None:
            style = formats[spec.number_format] if spec.number_format and not isinstance(value, str) else None
            if i in special:
                plain, below = special[i]
                negative = isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0
                style = below if negative and below is not None else plain if plain is not None else style
            return style

        def int_cell(i: int, style: int | None) -> bytes:  # _cell_xml's first case, as a template
            return b'<c r="%s' % _LETTERS[i] + b"%d" + b'"%s><v>' % (b' s="%d"' % style if style else b"") + b"%d</v></c>"

        # per column: (index, spec, the cell of a whole number >= 0, of one below zero) (most cells: counts and yen)
        plan = [(i, spec, int_cell(i, style_of(i, spec, 0)), int_cell(i, style_of(i, spec, -1)))
                for i, spec in enumerate(sheet.columns, start=1)]
        # a text's cell after its r="A1" (scope, case, month: the same few texts on every row)
        texts: dict[tuple[int, str], bytes] = {}
        batch: list[bytes] = []
        for r, values in enumerate(sheet.rows, start=3):
            cells = [b'<row r="%d">' % r]
            for (i, spec, at_least_zero, below_zero), value in zip(plan, values):
                if type(value) is int:
                    cells.append((below_zero if value < 0 else at_least_zero) % (r, value))
                elif type(value) is str:
                    rest = texts.get((i, value))
                    if rest is None:
                        whole = _cell_xml(b"", 1, i, value, style_of(i, spec, value), date1904)
                        rest = texts[(i, value)] = whole[len(b'<c r="%s1' % _LETTERS[i]):]
                    cells.append(b'<c r="%s%d' % (_LETTERS[i], r) + rest)
                elif value is not None:
                    cells.append(_cell_xml(b"", r, i, value, style_of(i, spec, value), date1904))
            cells.append(b"</row>")
            batch.append(b"".join(cells))
            if len(batch) == 1000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch)
        tail = f'<autoFilter ref="A2:{last_col}{last_row}"/>' if sheet.rows else ""
        tail += (f'{print_options}<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                 f"{page_setup}</worksheet>")
        yield b"</sheetData>" + tail.encode("utf-8")

    return chunks
