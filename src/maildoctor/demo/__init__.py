"""`maildoctor demo`: example mail servers broken on purpose, and the real diagnosis of each.

Everything runs inside the demo's own event loop on 127.0.0.1, offline and without root, from
pure-Python packages: pymap for IMAP (imap.py, with a small QUOTA extension), aiosmtpd for
submission (smtp.py), and a tiny dnspython-based DNS server (dns.py). world.py starts them with
certificates of its own CA (certs.py), cases.py holds the examples (plain CheckRequests for
run_check), and command.py shows the reports.

pymap and aiosmtpd come with the optional extra `maildoctor[demo]`: only command.py may be imported
without them, and it says what to install when they are missing. The test lab (the
maildoctor-lab package under packages/) uses certs.py for its own servers.
"""

LOOPBACK = "127.0.0.1"
