"""Answers as the scoring takes them, shared by the instrument test modules."""

# The band edges GAD-7 and PHQ-9 share (minimal 0-4, mild 5-9, moderate 10-14): points for
# items 1, 2, ... in order, the total and the band.
MINIMAL_MILD_MODERATE_EDGES = [
    ((), 0, "minimal"),  # all 0
    ((3, 1), 4, "minimal"),  # 3 + 1 = 4
    ((3, 2), 5, "mild"),  # 3 + 2 = 5
    ((3, 3, 3), 9, "mild"),  # 3 + 3 + 3 = 9
    ((3, 3, 3, 1), 10, "moderate"),  # 9 + 1 = 10
    ((3, 3, 3, 3, 2), 14, "moderate"),  # 12 + 2 = 14
]


def item_answers(item_count: int, *points: int) -> dict[str, str]:
    """Points (or ratings) for items 1, 2, ... in order; items not given score 0."""
    padded = list(points) + [0] * (item_count - len(points))
    return {str(n): str(p) for n, p in enumerate(padded, start=1)}
