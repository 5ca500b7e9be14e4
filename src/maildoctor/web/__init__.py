"""`maildoctor web`: the browser interface (an optional extra, `maildoctor[web]`).

Starlette serves Jinja2 pages and htmx (vendored in static/); the check runs through the same
runner and network seam as the CLI (diagnose.run_check). Each module has one job:

  config     what the server was started with (address, resolver, trust, limits)
  targets    the SSRF guard: which check targets a server beyond loopback refuses (pure)
  csrf       the double-submit token of every form (pure)
  ratelimit  requests per client and minute (pure, clock injected)
  guards     the middleware: security headers with the CSP, body size, rate limits, CSRF
  language   the page language from ?lang= and Accept-Language (pure)
  templating the Jinja2 environments (autoescape, the same gettext catalogs)
  hops       the path of a mail, hop by hop, from a report or the steps so far (pure)
  picture    the path as an SVG (pure)
  transcript the password-free text for the IT helper (pure)
  jobs       the checks running or just done, and their stream of events
  check_pages, pages  the routes
  app        the Starlette application
  serve      uvicorn, started by the CLI
"""
