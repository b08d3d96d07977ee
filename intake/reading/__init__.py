"""Reading a return: pure functions from a raw message's bytes to typed results.

`message` reads one raw message (MIME, then each attachment by what it is); `mime` parses
the message and `headers` decodes its headers; `formats` is the one sniffer that says what a
file is; `containers` (with `archives`) opens zips, winmail.dat, forwarded emails and
uuencoded files one level deep; `safety`, `ole` and `sandbox` keep hostile files from harming
the server; `sheets` turns any spreadsheet into grids of cell text; `template`, `action_rows`,
`fields` and `values` find the template in those grids by meaning; `letters` reads covering
letters (`pdf_text` a PDF's, after `pdf_streams` has checked it is no compression bomb).
"""

# The readers a worker should have loaded before its first message: the forkserver imports
# them once and every worker it forks shares them. The readers import their libraries lazily,
# so that a process importing `message` only for its entry points loads none of them; this
# list loads the common ones (a workbook, a Word or PDF letter) on purpose. openpyxl, pypdf
# and tnefparse, for rare files, load in the worker that meets one.
READER_MODULES = ("intake.reading.sheets", "intake.reading.template", "intake.reading.letters",
                  "pypdfium2")
