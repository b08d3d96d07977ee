"""Reading a return: pure functions from a raw message's bytes to typed results.

`message` reads one raw message (MIME, then each attachment by what it is); `mime` parses
the message and `headers` decodes its headers; `formats` is the one sniffer that says what a
file is; `containers` (with `archives`) opens zips, winmail.dat, forwarded emails and
uuencoded files one level deep; `safety`, `ole` and `sandbox` keep hostile files from harming
the server; `sheets` turns any spreadsheet into grids of cell text; `template`, `action_rows`,
`fields` and `values` find the template in those grids by meaning; `letters` reads covering
letters.
"""
