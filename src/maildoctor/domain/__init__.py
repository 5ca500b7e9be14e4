"""The domain check: MX, SPF, DKIM, DMARC, MTA-STS, blocklists and registration of a mail domain."""
