"""The lab's certificates: the demo's PKI (maildoctor.demo.certs), one CA maker for both.

It lives in the runtime package because `maildoctor demo` needs it without the lab; the lab's
servers and the tests take it from here.
"""

from maildoctor.demo.certs import (
    DEFAULT_SERVER_NAMES,
    INTERCEPTION_CA_NAME,
    LAB_CA_NAME,
    RENTAL_SERVER_NAME,
    CertFiles,
    LabPKI,
    StandardCerts,
)

__all__ = [
    "DEFAULT_SERVER_NAMES",
    "INTERCEPTION_CA_NAME",
    "LAB_CA_NAME",
    "RENTAL_SERVER_NAME",
    "CertFiles",
    "LabPKI",
    "StandardCerts",
]
