from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Page numbers with count/next/previous; 20 a page by default, up to 100 with ?page_size=."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
