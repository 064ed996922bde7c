"""The service layer: plain Python used by the page, the REST API, the CLI and the worker.

It never imports flask.request. Everything that touches one organization's data
receives a :class:`~littlepbx.tenancy.OrgScope`; the kinds of configuration share one
generic service (objects.py).
"""
