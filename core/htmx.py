"""htmx conventions shared by the pages that poll a job."""

from django.http import HttpResponse
from django_htmx.http import HTMX_STOP_POLLING


def polling_response(response: HttpResponse, *, finished: bool, reload: bool = False):
    """Tell a polling partial to stop once its job finished; with reload, the page reloads once
    so what appears only for a finished job (results, a ranked list) shows."""
    if finished:
        response.status_code = HTMX_STOP_POLLING
        if reload:
            response["HX-Refresh"] = "true"
    return response
