"""The machine-readable side: Hugging Face–compatible routes, our own API, the MCP endpoint."""

urlpatterns: list = []
