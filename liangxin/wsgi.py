import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with missing or wrong field keys
from liangxin.core.keyguard import assert_keys  # noqa: E402

assert_keys()
