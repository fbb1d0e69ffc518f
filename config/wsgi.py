import os

from django.core.wsgi import get_wsgi_application

from homeward.common.long_lived import collections_spaced, long_lived_frozen

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()

# What the worker loaded once it keeps for its life: collections need not go over it, and they
# come less often (issue 11).
long_lived_frozen()
collections_spaced()
