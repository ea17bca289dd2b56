"""REST API routers, one module per resource, included by claimwatch.api.app.create_app."""
