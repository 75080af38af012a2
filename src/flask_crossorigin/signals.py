"""Signals flask-crossorigin sends, for monitoring what the CORS layer refuses.

They are `blinker <https://blinker.readthedocs.io/>`_ signals, like Flask's own, so connecting
to them works the way ``flask.request_finished`` does::

    from flask_crossorigin import cors_refused

    @cors_refused.connect_via(app)
    def count_refusal(sender, *, origin, reason, policy, report_only, **extra):
        metrics.increment("cors.refused", tags={"reason": reason, "report_only": report_only})

.. versionadded:: 0.2
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent once for every request that carries ``Origin`` and that a policy refuses: actual requests
#: and preflights alike. ``sender`` is the Flask app; the keyword arguments are ``origin`` (the
#: request's ``Origin``, escaped as in log lines, without quotes, at most 200 characters),
#: ``method`` (for a preflight, the requested method; escaped like ``origin``), ``path``,
#: ``preflight`` (bool), ``reason`` (the server's reason id: ``flask cors explain ID``),
#: ``policy`` (where the policy came from, as ``flask cors routes`` names it) and
#: ``report_only`` (bool: the refusal came from a report-only policy and was not enforced).
#: Nothing is sent for allowed requests, requests without ``Origin`` or paths that no policy
#: covers. A receiver that raises is logged at ERROR on the ``flask_crossorigin`` logger and the
#: response goes out as decided.
cors_refused = _signals.signal("cors-refused")
