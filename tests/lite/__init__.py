"""xlsbridge for xlwings Lite: the plugin in CPython and in Pyodide under Node (driver.py, run_pyodide.mjs)."""
