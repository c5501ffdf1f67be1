Attribute VB_Name = "XlsBridge"
' xlsbridge ribbon callbacks (tab "xlsbridge").
'
' Each button runs exactly one Python entry point of xlsbridge.excel.entrypoints through
' xlwings' RunPython (module "xlwings" of this add-in). All messages a staff member sees come
' from Python, in Japanese.
'
' This file is UTF-8 in the repository. `xlsbridge addin build` stores it in the add-in in code
' page 932 with CRLF line ends and replaces the version placeholder with xlsbridge.__version__.
Option Explicit

Public Const XLSBRIDGE_ADDIN_VERSION = "@XLSBRIDGE_ADDIN_VERSION@"

' Button 入力チェック: check the entries of the active ledger.
Public Sub OnCheckEntries(control As IRibbonControl)
    RunPython "import xlsbridge.excel.entrypoints as ep; ep.check_entries()"
End Sub

' Button 料金計算: price every visit of the active ledger.
Public Sub OnComputeFees(control As IRibbonControl)
    RunPython "import xlsbridge.excel.entrypoints as ep; ep.compute_fees()"
End Sub

' Button 期限・年齢チェック: contracts and children that need action.
Public Sub OnCheckDeadlines(control As IRibbonControl)
    RunPython "import xlsbridge.excel.entrypoints as ep; ep.check_deadlines()"
End Sub

' Button 計画書作成 (選択行のケース): the plan for the case in the selected row.
Public Sub OnMakePlan(control As IRibbonControl)
    RunPython "import xlsbridge.excel.entrypoints as ep; ep.make_plan()"
End Sub

' Button 計画書作成 (全ケース): the plans for all cases.
Public Sub OnMakeAllPlans(control As IRibbonControl)
    RunPython "import xlsbridge.excel.entrypoints as ep; ep.make_all_plans()"
End Sub

' Button 自己診断: self check; passes this add-in's version so Python can compare it with its own.
Public Sub OnSelfCheck(control As IRibbonControl)
    RunPython "import xlsbridge.excel.entrypoints as ep; ep.self_check('" & XLSBRIDGE_ADDIN_VERSION & "')"
End Sub
