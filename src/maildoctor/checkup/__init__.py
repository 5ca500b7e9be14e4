"""The check day (`maildoctor checkup`, issue 14): every account and domain of a company examined
politely, the results kept in the book, and a report of what changed since the last check day.

Pure parts (no I/O): `model` (what a run records), `classify` (a diagnosis as recorded findings),
`bookrisks` (risks only the book can see), `states` (two runs in a row before a state changes),
`trends` (quota, certificate and domain expiry), `report` (the report, text and HTML, any language).
With I/O: `limits` (connections per server), `passwords` (the OS keyring), `runs` (the book's
tables of runs), `runner` (the check-up itself). Imported only by the `checkup` command.
"""
