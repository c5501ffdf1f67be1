"""The 親子交流支援計画書 for one case or every active case, for `xlsbridge plan` and the ribbon."""

from __future__ import annotations

from datetime import date

from ..domain.ledger import Case
from ..domain.plan import PlanSheet, active_cases, build_plan
from ..errors import UserError
from ..io.reader import LedgerRead


def select_cases(read: LedgerRead, case_id: str | None, all_active: bool) -> list[Case]:
    if all_active:
        cases = active_cases(read.ledger)
        if not cases:
            raise UserError("契約中（状態が「契約中」）のケースがありません", "no active cases (状態 契約中) in the ledger")
        return cases
    if not case_id:
        raise UserError("--case ケースID か --all を指定してください", "give --case ID or --all")
    wanted = case_id.strip()
    for case in read.ledger.cases:
        if case.case_id == wanted:
            return [case]
    raise UserError(f"ケースID {wanted} がケースシートにありません", f"case ID {wanted} is not on the ケース sheet")


def plans_for(read: LedgerRead, cases: list[Case], as_of: date) -> list[PlanSheet]:
    children, visits = read.ledger.children_of(), read.ledger.visits_of()  # grouped once, not per case
    return [build_plan(read.ledger, case, as_of, children_by_case=children, visits_by_case=visits) for case in cases]


def plans_workbook(plans: list[PlanSheet]):
    """A new workbook holding only the plan sheets: nothing else of the ledger travels with it."""
    from openpyxl import Workbook

    from ..io.print_setup import use_ledger_font

    wb = Workbook()
    use_ledger_font(wb)  # the ledger's one font, also in the cells the form leaves unstyled
    wb.remove(wb.active)
    from ..io.sinks import OpenpyxlSink
    from .outputs import write_plans

    write_plans(OpenpyxlSink(wb), plans)
    return wb
