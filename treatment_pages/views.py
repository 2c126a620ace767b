from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from treatment_pages.models import TreatmentPage

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@require_GET
def search(request):
    """Full-text search over published treatment articles (Wagtail search backend)."""
    search_query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = TreatmentPage.objects.none()
    if search_query:
        results = TreatmentPage.objects.live().public().search(search_query)

    paginator = Paginator(results, RESULTS_PER_PAGE)
    try:
        search_results = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        search_results = paginator.page(1)
    except EmptyPage:
        search_results = paginator.page(paginator.num_pages)

    return TemplateResponse(
        request,
        "search.html",
        {"search_query": search_query, "search_results": search_results},
    )
