import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with missing or wrong field keys
from liangxin.core.keyguard import assert_keys  # noqa: E402

assert_keys()

# gunicorn's access log (when served by gunicorn): identity numbers in request lines masked
import logging  # noqa: E402

from liangxin.core.logmask import MaskPersonalData  # noqa: E402

logging.getLogger("gunicorn.access").addFilter(MaskPersonalData())
logging.getLogger("gunicorn.error").addFilter(MaskPersonalData())
