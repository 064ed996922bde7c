"""The service layer: plain Python used by the page, the REST API, the CLI and the worker.

It never imports flask.request. Everything that touches one organization's data
receives an :class:`~littlepbx.services.scope.OrgScope`.
"""
