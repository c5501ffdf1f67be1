Attribute VB_Name = "XlsBridge"
' xlsbridge ribbon callbacks (tab "xlsbridge"; customUI14.xml calls them as XlsBridge.OnXxx).
'
' Every button goes through RunButton, which
'   1. checks, before Python starts, what would otherwise end in an English message from Excel or
'      xlwings: a workbook in Protected View, no workbook, an unsaved ledger, no Python configured,
'      a Python that is gone, xlsbridge missing from that Python or of another version than this
'      add-in (Windows) -- each with one Japanese message saying what to do;
'   2. shows a status-bar text and the wait cursor for the whole action (Python needs 1-3 s to start);
'   3. runs one entry point through xlsbridge.excel.buttons.press, passing this add-in's version and
'      the version of xlwings' VBA embedded in it, which Python compares with its own;
'   4. activates the ledger again (計画書作成 opens the plan workbook), restores the status bar and
'      the cursor on every way out, and turns any VBA error into one Japanese message.
' All other messages a staff member sees come from Python, in Japanese.
'
' RunPython, GetConfig, FileExists, ParentFolder and XLWINGS_VERSION are in the module "xlwings"
' (xlwings' custom add-in flavour, whose configuration is xlsbridge.conf, not xlwings.conf).
'
' This file is UTF-8 in the repository. `xlsbridge addin build` stores it in the add-in in code
' page 932 with CRLF line ends and replaces the version placeholder with xlsbridge.__version__.
Option Explicit

Public Const XLSBRIDGE_ADDIN_VERSION = "@XLSBRIDGE_ADDIN_VERSION@"
Private Const MESSAGE_TITLE = "xlsbridge"
Private Const ASK_ADMIN = "管理者に、配布フォルダーの install.cmd をこの PC でもう一度実行してもらってください。"

' Button 入力チェック: check the entries of the active ledger.
Public Sub OnCheckEntries(control As IRibbonControl)
    RunButton "check_entries", "入力チェック", True
End Sub

' Button 料金計算: price every visit of the active ledger.
Public Sub OnComputeFees(control As IRibbonControl)
    RunButton "compute_fees", "料金計算", True
End Sub

' Button 期限・年齢チェック: contracts and children that need action.
Public Sub OnCheckDeadlines(control As IRibbonControl)
    RunButton "check_deadlines", "期限・年齢チェック", True
End Sub

' Button 計画書作成 (選択行のケース): the plan for the case in the selected row.
Public Sub OnMakePlan(control As IRibbonControl)
    RunButton "make_plan", "計画書作成", True
End Sub

' Button 計画書作成 (全ケース): the plans for all cases.
Public Sub OnMakeAllPlans(control As IRibbonControl)
    RunButton "make_all_plans", "計画書作成 (全ケース)", True
End Sub

' Button 自己診断: versions, interpreter and template; runs on any workbook and with other versions.
Public Sub OnSelfCheck(control As IRibbonControl)
    RunButton "self_check", "自己診断", False
End Sub

' One button press from start to end. Every way out goes through Finish (restores the status bar
' and the cursor); a VBA error anywhere goes to Failed, which restores them too.
Private Sub RunButton(entry As String, label As String, writesLedger As Boolean)
    Dim ledger As Workbook
    Dim problem As String
    Dim savedStatus As Variant, savedCursor As Long, savedShowStatus As Boolean
    On Error GoTo Failed
    savedStatus = Application.StatusBar
    savedShowStatus = Application.DisplayStatusBar
    savedCursor = CurrentCursor()

    problem = WorkbookProblem(writesLedger)
    If problem = "" Then problem = PythonProblem(entry <> "self_check")
    If problem <> "" Then
        MsgBox problem, vbExclamation, MESSAGE_TITLE
        GoTo Finish
    End If

    Set ledger = ActiveWorkbook
    Application.DisplayStatusBar = True
    Application.StatusBar = "xlsbridge: " & label & " を実行しています。しばらくお待ちください…"
    SetCursor xlWait
    DoEvents
    RunPython "import xlsbridge.excel.buttons as b; b.press('" & entry & "', '" & _
              XLSBRIDGE_ADDIN_VERSION & "', '" & XLWINGS_VERSION & "')"
    #If Mac Then
    ' On macOS RunPython returns at once and Python runs in the background: its status-bar text stays
    ' until xlwings' CleanUp clears it when Python ends, and Python itself activates the ledger again.
    savedStatus = Application.StatusBar
    #Else
    ledger.Activate
    #End If

Finish:
    RestoreUi savedStatus, savedShowStatus, savedCursor
    Exit Sub

Failed:
    Dim number As Long
    number = Err.Number
    RestoreUi savedStatus, savedShowStatus, savedCursor
    MsgBox "xlsbridge: 予期しないエラーで中断しました（VBA エラー番号 " & number & "）。" & vbNewLine & _
           "入力したセルは変更していません。「自己診断」ボタンを押し、この画面と自己診断の結果を管理者に伝えてください。", _
           vbCritical, MESSAGE_TITLE
End Sub

' What is wrong with the active workbook for this button, in Japanese; "" when nothing is.
Private Function WorkbookProblem(writesLedger As Boolean) As String
    #If Not Mac Then
    If Not Application.ActiveProtectedViewWindow Is Nothing Then
        WorkbookProblem = "このブックは「保護ビュー」で開かれているため、xlsbridge は読み書きできません。" & vbNewLine & _
                          "画面上部の黄色いバーの「編集を有効にする」を押してから、もう一度ボタンを押してください。"
        Exit Function
    End If
    #End If
    If ActiveWorkbook Is Nothing Then
        WorkbookProblem = "開いているブックがありません。案件台帳のブックを開いて選んでから、もう一度ボタンを押してください。"
        Exit Function
    End If
    If writesLedger And ActiveWorkbook.Path = "" Then
        WorkbookProblem = "このブック（" & ActiveWorkbook.Name & "）はまだ保存されていません。" & vbNewLine & _
                          "ボタンは結果を台帳と同じフォルダーに保存し、書き込む前に台帳の控えを残します。" & _
                          "先に「名前を付けて保存」で保存してから、もう一度ボタンを押してください。"
    End If
End Function

' What stops Python or xlsbridge from starting, in Japanese; "" when nothing does.
Private Function PythonProblem(sameVersion As Boolean) As String
    Dim interpreter As String
    #If Mac Then
        interpreter = GetConfig("INTERPRETER_MAC", "")
    #Else
        interpreter = GetConfig("INTERPRETER_WIN", "")
    #End If
    If interpreter = "" Then
        PythonProblem = "xlsbridge が使う Python が設定されていません（xlsbridge.conf）。" & vbNewLine & ASK_ADMIN
        Exit Function
    End If
    #If Not Mac Then
    If Not FileExists(interpreter) Then
        PythonProblem = "xlsbridge が使う Python が見つかりません: " & interpreter & vbNewLine & ASK_ADMIN
        Exit Function
    End If
    Dim installed As String
    installed = InstalledVersion(interpreter)
    If installed = "" Then
        PythonProblem = "この PC の Python（" & interpreter & "）に xlsbridge が入っていません。" & vbNewLine & ASK_ADMIN
    ElseIf sameVersion And installed <> XLSBRIDGE_ADDIN_VERSION Then
        PythonProblem = "アドイン（" & XLSBRIDGE_ADDIN_VERSION & "）と Python の xlsbridge（" & installed & _
                        "）の版が違います。" & vbNewLine & ASK_ADMIN
    End If
    #End If
End Function

' Windows: the version of xlsbridge installed for this Python, from its "xlsbridge-<version>.dist-info"
' folder (a venv's Scripts\python.exe, a Python folder's python.exe, or the user's site-packages).
Private Function InstalledVersion(interpreter As String) As String
    Dim folder As String, found As String, candidate As Variant, minor As Integer
    Dim candidates As New Collection
    folder = ParentFolder(interpreter)
    candidates.Add folder & "\Lib\site-packages\"
    candidates.Add ParentFolder(folder) & "\Lib\site-packages\"
    For minor = 11 To 20
        candidates.Add Environ("APPDATA") & "\Python\Python3" & minor & "\site-packages\"
    Next minor
    On Error Resume Next
    For Each candidate In candidates
        found = Dir(candidate & "xlsbridge-*.dist-info", vbDirectory)
        If found <> "" Then
            InstalledVersion = Mid$(found, Len("xlsbridge-") + 1, Len(found) - Len("xlsbridge-") - Len(".dist-info"))
            Exit Function
        End If
    Next candidate
End Function

Private Function CurrentCursor() As Long
    CurrentCursor = xlDefault
    On Error Resume Next  ' Excel for Mac may not report the pointer
    CurrentCursor = Application.Cursor
End Function

Private Sub SetCursor(shape As Long)
    On Error Resume Next  ' Excel for Mac may not change the pointer
    Application.Cursor = shape
End Sub

' Puts back what RunButton changed. Never raises: it runs on the way out of every path.
Private Sub RestoreUi(savedStatus As Variant, savedShowStatus As Boolean, savedCursor As Long)
    On Error Resume Next
    SetCursor savedCursor
    Application.StatusBar = savedStatus
    Application.DisplayStatusBar = savedShowStatus
End Sub
