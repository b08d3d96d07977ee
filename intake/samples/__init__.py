"""Synthetic returns for the demo, the load runs and the tests; not part of the running service.

`returns` plans and builds them, `grids` and `files` write their files with real writers, `mail`
wraps them as a council's email, `sending` is the `send-sample` command. The writers xlwt,
XlsxWriter and fpdf2 come with the `samples` extra (`pip install -e '.[samples]'`).
"""
