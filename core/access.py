"""Access rules: reading is open on a local install unless IDEAGRAPH_LOGIN_REQUIRED_FOR_READING
is set; every write needs a logged-in user with the named permission."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required


def read_access(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.LOGIN_REQUIRED_FOR_READING:
            return login_required(view)(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def write_access(permission: str) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorator
