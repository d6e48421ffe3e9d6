"""gunicorn settings read from the project folder (``gunicorn liangxin.wsgi``): the access log
names the path without its query string and without the referrer, which may carry what a user
searched for (docs/operations.md). wsgi.py masks identity numbers in what remains."""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'
