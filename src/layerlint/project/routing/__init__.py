"""FastAPI: routers, route handlers, dependency trees, and where project functions are called."""
