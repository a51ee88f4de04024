from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class ByIdCursor(CursorPagination):
    """Cursor pagination in the order rows were made: stable while rows are added, and each page is one
    indexed query whatever its position."""

    ordering = "pk"
    page_size = 50

    def decode_cursor(self, request):
        """The cursor, refused as a 404 unless its position is a whole number (it is client input)."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not cursor.position.lstrip("-").isdigit():
            raise NotFound(self.invalid_cursor_message)
        return cursor
