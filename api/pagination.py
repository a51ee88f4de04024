from rest_framework.pagination import CursorPagination


class ByIdCursor(CursorPagination):
    """Cursor pagination in the order rows were made: stable while rows are added, and each page is one
    indexed query whatever its position."""

    ordering = "pk"
    page_size = 50
