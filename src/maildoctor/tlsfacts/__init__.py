"""Certificate facts and their judgement: pure (no sockets, no event loop), fed with the DER bytes
that net.tls recorded.
"""

from maildoctor.tlsfacts.assess import (
    INTERCEPTION_PRODUCTS,
    SYSTEM_BUNDLE,
    CertificateAssessment,
    InterceptionSignature,
    TrustStores,
    VerifyError,
    assess_chain,
    find_interception_product,
    load_certificates,
    load_trust_stores,
)
from maildoctor.tlsfacts.certificate import CertificateInfo, host_matches

__all__ = [
    "INTERCEPTION_PRODUCTS",
    "SYSTEM_BUNDLE",
    "CertificateAssessment",
    "CertificateInfo",
    "InterceptionSignature",
    "TrustStores",
    "VerifyError",
    "assess_chain",
    "find_interception_product",
    "host_matches",
    "load_certificates",
    "load_trust_stores",
]
