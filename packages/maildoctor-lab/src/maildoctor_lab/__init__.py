"""The lab: real mail, DNS and HTTPS servers on loopback, broken on purpose.

For tests and benchmarks only: a package of its own (packages/maildoctor-lab, a uv workspace
member installed with the dev group), never shipped in maildoctor's wheel. The offline demo's
servers are not here but in maildoctor.demo, behind the `maildoctor[demo]` extra.

Nothing here is used by a diagnosis; the lab only builds worlds for the diagnosis to look at.
Every server listens on 127.0.0.0/8 (or inside a network namespace the lab created itself).
"""
