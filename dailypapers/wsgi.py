import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
application = get_wsgi_application()

# Move everything loaded at startup out of the collector's view: a feed page builds thousands
# of short-lived model objects, and full collections kept rescanning the long-lived ones.
gc.freeze()
