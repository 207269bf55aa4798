"""Domain exceptions; a middleware maps them to HTTP responses."""


class ShopError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class NotFoundError(ShopError):
    pass


class ConflictError(ShopError):
    pass
