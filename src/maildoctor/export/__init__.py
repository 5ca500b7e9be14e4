"""Renderers of discovered settings in the forms devices and scripts take (pure: no I/O).

- settings_json: interface.md's `maildoctor.settings/1`
- autoconfig: a Thunderbird clientConfig (ISPDB) file
- mobileconfig: an Apple configuration profile for iPhone, iPad and Mac Mail
- table: a Rich table with the field names of the iPhone and Outlook screens
"""

from __future__ import annotations

from maildoctor.export.common import NoServerError

__all__ = ["NoServerError"]
