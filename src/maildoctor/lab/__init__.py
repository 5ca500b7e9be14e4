"""The lab: real mail, DNS and HTTPS servers on loopback, broken on purpose.

For tests, benchmarks and the demo.

Nothing here is used by a diagnosis; the lab only builds worlds for the diagnosis to look at.
Every server listens on 127.0.0.0/8 (or inside a network namespace the lab created itself).
"""
