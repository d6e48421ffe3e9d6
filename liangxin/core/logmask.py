"""Keep personal data out of logs: a logging filter that masks identity numbers (18 characters,
DOMAIN.md's mask) and mobile numbers in every message — request lines of the development
server (``django.server``) and gunicorn's access log included, whose query strings may carry
what a user searched for."""

import logging
import re

from liangxin.core.crypto import mask_id_number

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return MOBILE.sub(lambda m: m.group()[:3] + "****" + m.group()[-4:], text)


class MaskPersonalData(logging.Filter):
    """Rewrite the record's message with personal data masked (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
