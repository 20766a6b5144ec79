"""Benchmark settings only (clinic.settings.bench): how many SQL queries a request ran."""

from django.db import connections


class QueryCountMiddleware:
    """Counts the statements each request sends to the database (every connection, including
    the session and authentication queries) and returns the number in `X-Bench-Queries`.
    Outermost middleware, so it sees everything the request does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        wrappers = [conn.execute_wrapper(counter) for conn in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response["X-Bench-Queries"] = str(count[0])
        return response
