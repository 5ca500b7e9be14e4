"""Finding the right IMAP/POP3/SMTP settings for an address: provider data, autoconfig, SRV, MX."""
